"""The lineage and impact views in a notebook: a plotly FigureWidget with controls and a details pane.

    %phi lineage patients.SSN          # upstream and downstream
    %phi impact patients.SSN           # the impact report, then its downstream graph

Controls: hops, DIRECT/INDIRECT edges, PHI only, level (auto collapses to tables above
`COLLAPSE_ABOVE` columns), and a time window (edges from logged statements and readers outside it
are left out). Clicking a node shows its table's columns, kinds, where its edges come from and its
readers. Everything is computed by `workbench.lineage.views`; this module only wires widgets.
Offline: plotly's widget bundle ships with the plotly package (anywidget), no CDN is used.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import plotly.graph_objects as go
from IPython.display import display

from workbench.errors import BadInput
from workbench.lineage.views import (
    EDGE_TYPES,
    MAX_HOPS,
    TRACE_NODES,
    LineageExplorer,
    LineageView,
    ViewOptions,
    figure_spec,
)
from workbench.settings import Settings

_STYLE = """<style>
.wb-lineage-details { font-size: 12px; max-height: 640px; overflow-y: auto; }
.wb-lineage-details table { border-collapse: collapse; margin-bottom: 6px; }
.wb-lineage-details td, .wb-lineage-details th { padding: 1px 6px; border-bottom: 1px solid #eceff1; text-align: left; }
.wb-lineage-details h4 { margin: 2px 0 4px 0; } .wb-lineage-details h5 { margin: 8px 0 2px 0; }
</style>"""


class LineageWidget(widgets.VBox):  # type: ignore[misc]
    """The interactive lineage (or impact) view of one target."""

    def __init__(self, explorer: LineageExplorer, target: str, options: ViewOptions | None = None) -> None:
        self.explorer = explorer
        self.target = target
        self.options = options or ViewOptions()
        self.current: LineageView = explorer.view(target, self.options)
        traces, layout = figure_spec(self.current)
        self.figure = go.FigureWidget(data=traces, layout=layout)
        self.figure.data[TRACE_NODES].on_click(self._clicked)
        compact = widgets.Layout(width="auto")
        self.hops = widgets.IntSlider(
            value=self.options.hops,
            min=1,
            max=MAX_HOPS,
            description="hops",
            layout=widgets.Layout(width="260px"),
        )
        self.types = {
            kind: widgets.Checkbox(
                value=kind in self.options.types, description=kind, indent=False, layout=compact
            )
            for kind in EDGE_TYPES
        }
        self.phi_only = widgets.Checkbox(
            value=self.options.phi_only, description="PHI only", indent=False, layout=compact
        )
        self.level = widgets.Dropdown(
            options=["auto", "column", "table"],
            value=self.options.level,
            description="level",
            layout=widgets.Layout(width="180px"),
        )
        dates = widgets.Layout(width="230px")
        self.since = widgets.DatePicker(description="since", value=_day(self.options.since), layout=dates)
        self.until = widgets.DatePicker(description="until", value=_day(self.options.until), layout=dates)
        self.status = widgets.HTML(self._status())
        self.details = widgets.HTML(_STYLE + "<p>Click a node to see its columns, kinds and readers.</p>")
        self.details.layout = widgets.Layout(width="34%", min_width="260px")
        self.figure.layout.autosize = True
        for control in (self.hops, self.phi_only, self.level, self.since, self.until, *self.types.values()):
            control.observe(self._changed, names="value")
        gap = widgets.Layout(grid_gap="14px", align_items="center")
        controls = widgets.HBox([self.hops, *self.types.values(), self.phi_only, self.level], layout=gap)
        window = widgets.HBox([self.since, self.until, self.status], layout=gap)
        graph = widgets.Box([self.figure], layout=widgets.Layout(width="66%"))
        super().__init__([controls, window, widgets.HBox([graph, self.details])])
        self.add_class("wb-lineage-widget")

    def _status(self) -> str:
        return f"<span class='wb-lineage-status'>{self.current.summary()}</span>"

    def _changed(self, change: dict[str, Any] | None = None) -> None:
        self.options = replace(
            self.options,
            hops=self.hops.value,
            types=frozenset(k for k, box in self.types.items() if box.value),
            phi_only=self.phi_only.value,
            level=self.level.value,
            since=_instant(self.since.value, time.min),
            until=_instant(self.until.value, time.max),
        )
        self.refresh()

    def refresh(self) -> None:
        """Recompute the view for the current options and update the figure in place."""
        self.current = self.explorer.view(self.target, self.options)
        traces, layout = figure_spec(self.current)
        with self.figure.batch_update():
            for trace, spec in zip(self.figure.data, traces, strict=True):
                trace.update(spec, overwrite=True)
            self.figure.layout.update(layout, overwrite=True)
        self.status.value = self._status()

    def show_node(self, node_id: str) -> None:
        """Show what a click on `node_id` shows."""
        details = self.explorer.details(node_id, self.options)
        self.details.value = _STYLE + details.to_html()

    def _clicked(self, trace: Any, points: Any, state: Any) -> None:
        indices = list(getattr(points, "point_inds", []) or [])
        if indices and indices[0] < len(self.current.nodes):
            self.show_node(self.current.nodes[indices[0]].id)


def _day(moment: datetime | None) -> date | None:
    return moment.date() if moment is not None else None


def _instant(day: date | None, at: time) -> datetime | None:
    return None if day is None else datetime.combine(day, at, tzinfo=UTC)


# -- `%phi lineage ...` and the graph under `%phi impact ...` ------------------------------------


def lineage_command(settings: Settings, words: list[str], parser_class: type[argparse.ArgumentParser]) -> Any:
    """`%phi lineage TABLE[.COLUMN] [--hops N] [--phi-only] [--direct-only] [--level L] [--since D] [--until D]`
    shows the widget; `%phi lineage build [PATH...] [--dbt-manifest M [--catalog C]] [--dialect D]`
    builds the graph with a progress bar."""
    if words[:1] == ["build"]:
        return _build(settings, words[1:], parser_class)
    parser = parser_class(prog="%phi lineage", add_help=False)
    parser.add_argument("target")
    parser.add_argument("--hops", type=int, default=ViewOptions.hops)
    parser.add_argument("--phi-only", action="store_true")
    parser.add_argument("--direct-only", action="store_true")
    parser.add_argument("--level", choices=["auto", "column", "table"], default="auto")
    parser.add_argument("--downstream", action="store_true", help="only what the target feeds")
    parser.add_argument("--since")
    parser.add_argument("--until")
    args = parser.parse_args(words)
    options = ViewOptions(
        hops=args.hops,
        types=frozenset({"DIRECT"} if args.direct_only else EDGE_TYPES),
        phi_only=args.phi_only,
        level=args.level,
        direction="downstream" if args.downstream else "both",
        since=_parse_time(args.since, "--since"),
        until=_parse_time(args.until, "--until"),
    )
    explorer = LineageExplorer.open(settings, args.target)
    widget = LineageWidget(explorer, args.target, options)
    display(widget)
    return None


def show_impact(settings: Settings, target: str, since: str | None, until: str | None) -> None:
    """The downstream graph under an impact report (the impact call was recorded already)."""
    explorer = LineageExplorer.open(settings, target, mode="impact", record=False)
    options = ViewOptions(
        hops=MAX_HOPS,
        direction="downstream",
        since=_parse_time(since, "--since"),
        until=_parse_time(until, "--until"),
    )
    display(LineageWidget(explorer, target, options))


def _build(settings: Settings, words: list[str], parser_class: type[argparse.ArgumentParser]) -> None:
    from workbench.lineage.build import build
    from workbench.lineage.dbt import build_dbt
    from workbench.lineage.progress import bar

    parser = parser_class(prog="%phi lineage build", add_help=False)
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--dbt-manifest")
    parser.add_argument("--catalog")
    parser.add_argument("--dialect", default=None)
    args = parser.parse_args(words)
    if args.dbt_manifest:
        report = build_dbt(
            settings, Path(args.dbt_manifest), Path(args.catalog) if args.catalog else None, progress=bar
        )
        print(report.summary())
        return
    result = build(settings, [Path(p) for p in args.paths], dialect=args.dialect, progress=bar)
    print(
        f"Lineage: {result.files} files, {len(result.traced)} traced, {result.edges} edges over "
        f"{result.columns} columns, {result.phi_columns} columns carry PHI."
    )
    for error in result.errors:
        print(f"  error {error}")


def _parse_time(text: str | None, flag: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{flag} needs an ISO date or time such as 2024-09-30T12:00:00+00:00.") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
