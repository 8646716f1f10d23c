"""The lineage and impact views: what the notebook widget draws, computed without any UI toolkit.

`LineageExplorer.open(settings, target)` loads the stored graph, its PHI tags, the origins of its
edges and, for a role that may investigate (`privacy_analyst`, `break_glass`), who read what
(`workbench.lineage.readers`); opening it is recorded in the ledger as `lineage` (the target, and
whether readers were shown). Then:

- `explorer.view(target, ViewOptions(...))` is the neighbourhood of a table or column: every node
  within `hops` edges upstream and downstream (only downstream for an impact view), along the edge
  types chosen, with edges whose every origin lies outside the time window left out (edges from SQL
  files and dbt have no time and always count), and only PHI-carrying nodes when asked.
  Above `COLLAPSE_ABOVE` column nodes the view collapses to tables (one node per table, one edge
  per table pair and type), which keeps the browser responsive (measured by
  `bench/lineage_view_bench.py`).
- Nodes are laid out left to right by hop (upstream negative, the target at 0), grouped by table
  within a hop and ordered to follow their neighbours in the previous hop.
- `figure(view)` draws it with plotly (offline: the page needs no CDN), `explorer.details(node)`
  says what a click on a node shows: its table's columns with their kinds, where its edges come
  from, and its readers.
"""

from __future__ import annotations

import contextlib
import html
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from workbench import audit, session
from workbench.catalog import Catalog
from workbench.errors import NoSession, WorkbenchError
from workbench.kinds import IdentifierKind
from workbench.lineage.build import catalog_seeds, lineage_folder
from workbench.lineage.graph import LineageGraph, NodeTags, is_external_table, warehouse_key
from workbench.lineage.impact import INVESTIGATOR_ROLES, resolve_target
from workbench.lineage.origins import Origin, load_origins, origin_of
from workbench.lineage.readers import Read, ReaderSummary, all_reads, instant, readers_of
from workbench.settings import Settings

Level = Literal["auto", "column", "table"]
Direction = Literal["both", "downstream", "upstream"]
EDGE_TYPES: tuple[str, ...] = ("DIRECT", "INDIRECT")
# Column nodes above which the view shows tables instead (see bench/lineage_view_bench.py).
COLLAPSE_ABOVE = 250
MAX_HOPS = 12

# trace order in the figure (the widget updates traces in place, so the order is fixed)
TRACE_DIRECT, TRACE_INDIRECT, TRACE_EDGE_INFO, TRACE_NODES = range(4)
_COLORS = {"phi": "#c62828", "shaped": "#ef6c00", "plain": "#78909c", "focus": "#1a237e"}


@dataclass(frozen=True)
class ViewOptions:
    """What the view shows (the widget's controls)."""

    hops: int = 3
    types: frozenset[str] = frozenset(EDGE_TYPES)
    phi_only: bool = False
    since: datetime | None = None
    until: datetime | None = None
    level: Level = "auto"
    direction: Direction = "both"


@dataclass(frozen=True)
class ViewNode:
    """A column (or, collapsed, a table) placed in the view."""

    id: str
    table: str
    column: str | None  # None for a table node
    hop: int
    x: float
    y: float
    kinds: tuple[str, ...] = ()
    shaped_by: tuple[str, ...] = ()
    focus: bool = False
    external: bool = False
    columns: int = 1  # column nodes a table node stands for

    @property
    def label(self) -> str:
        return self.table if self.column is None else self.column


@dataclass(frozen=True)
class ViewEdge:
    source: str
    target: str
    type: str
    subtypes: tuple[str, ...]
    transform: str | None = None
    origins: tuple[str, ...] = ()  # labels


@dataclass(frozen=True)
class LineageView:
    """The neighbourhood of a target, placed for drawing."""

    target: str
    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]
    level: Literal["column", "table"]
    column_nodes: int  # column nodes before any collapse
    options: ViewOptions

    def node(self, node_id: str) -> ViewNode | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def summary(self) -> str:
        shown = (
            f"{len(self.nodes)} {'tables' if self.level == 'table' else 'columns'}, {len(self.edges)} edges"
        )
        collapsed = (
            f" (collapsed from {self.column_nodes} columns)"
            if self.level == "table" and self.column_nodes
            else ""
        )
        return f"Lineage of {self.target}: {shown}{collapsed}, up to {self.options.hops} hops."


@dataclass(frozen=True)
class NodeDetails:
    """What a click on a node shows."""

    node: str
    table: str
    column: str | None
    kinds: tuple[str, ...]
    shaped_by: tuple[str, ...]
    columns: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]  # the table's columns with kinds
    upstream: int
    downstream: int
    origins: tuple[str, ...]
    readers: tuple[ReaderSummary, ...] | None  # None: this role may not see readers

    def to_json(self) -> dict[str, object]:
        return {
            "node": self.node,
            "table": self.table,
            "column": self.column,
            "kinds": list(self.kinds),
            "shaped_by": list(self.shaped_by),
            "columns": [{"column": c, "kinds": list(k), "shaped_by": list(s)} for c, k, s in self.columns],
            "upstream": self.upstream,
            "downstream": self.downstream,
            "origins": list(self.origins),
            "readers": None if self.readers is None else [r.to_json() for r in self.readers],
        }

    def to_html(self) -> str:
        e = html.escape
        title = e(self.node)
        kinds = e(", ".join(self.kinds) or "none")
        shaped = f"<br>shaped by: {e(', '.join(self.shaped_by))}" if self.shaped_by else ""
        rows = "".join(
            f"<tr><td>{e(c)}</td><td>{e(', '.join(k) or '-')}</td><td>{e(', '.join(s) or '')}</td></tr>"
            for c, k, s in self.columns
        )
        columns = (
            f"<table class='wb-columns'><thead><tr><th>column</th><th>kinds</th><th>shaped by</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            if rows
            else "<p>No columns known.</p>"
        )
        if self.readers is None:
            readers = "<p>Readers are shown to privacy_analyst and break_glass sessions.</p>"
        elif not self.readers:
            readers = "<p>No recorded readers in this window.</p>"
        else:
            body = "".join(
                f"<tr><td>{e(r.principal)}</td><td>{e(r.role or '-')}</td><td>{e(r.source)}</td>"
                f"<td>{r.count}</td><td>{e(_minute(r.first))}</td><td>{e(_minute(r.last))}</td></tr>"
                for r in self.readers
            )
            readers = (
                "<table class='wb-readers'><thead><tr><th>reader</th><th>role</th><th>source</th><th>reads</th>"
                f"<th>first</th><th>last</th></tr></thead><tbody>{body}</tbody></table>"
            )
        origins = "".join(f"<li>{e(o)}</li>" for o in self.origins[:12])
        more = f"<li>... {len(self.origins) - 12} more</li>" if len(self.origins) > 12 else ""
        return (
            f"<div class='wb-lineage-details'><h4>{title}</h4>"
            f"<p>kinds: {kinds}{shaped}<br>{self.upstream} edges in, {self.downstream} edges out</p>"
            f"<h5>Readers</h5>{readers}"
            f"<h5>From</h5><ul>{origins or '<li>-</li>'}{more}</ul>"
            f"<h5>Columns of {e(self.table)}</h5>{columns}</div>"
        )


@dataclass
class LineageExplorer:
    """The stored graph with what the views need; `open` it for a session."""

    graph: LineageGraph
    tags: Mapping[str, NodeTags] = field(default_factory=dict)
    origins: Mapping[str, Origin] = field(default_factory=dict)
    reads: list[Read] | None = None  # None: readers are not shown to this role
    catalog: Catalog | None = None
    external_schemas: tuple[str, ...] = ("export", "external")

    @classmethod
    def open(
        cls, settings: Settings, target: str | None = None, *, mode: str = "lineage", record: bool = True
    ) -> LineageExplorer:
        """Load the workspace's graph; readers only for an investigating role; recorded in the ledger."""
        principal = None
        with contextlib.suppress(NoSession):
            principal = session.current(settings)
        may_read = principal is not None and principal.role in INVESTIGATOR_ROLES
        folder = lineage_folder(settings)
        graph = LineageGraph.load(folder)
        catalog = Catalog.load(settings.catalog_path)
        explorer = cls(
            graph=graph,
            tags=graph.propagate(catalog_seeds(graph, catalog)),
            origins=load_origins(folder),
            reads=all_reads(settings) if may_read else None,
            catalog=catalog,
            external_schemas=tuple(settings.external_schemas),
        )
        detail: dict[str, object] = {
            "operation": "view",
            "mode": mode,
            "target": target or "",
            "readers": may_read,
        }
        try:
            if target:
                explorer.start_nodes(target)  # an unknown target fails here, before any drawing
        except WorkbenchError as error:
            detail["error"] = type(error).__name__
            if record:
                audit.record(settings, "lineage", "error", detail, principal)
            raise
        if record:
            audit.record(settings, "lineage", "ok", detail, principal)
        return explorer

    # -- choosing the nodes -------------------------------------------------------------------

    def start_nodes(self, target: str) -> list[str]:
        """The graph nodes a target names (a column, or every column of a table and `table.*`)."""
        tables, column = resolve_target(self.graph, self.catalog or Catalog({}), target)
        nodes: list[str] = []
        for table in tables:
            if column is not None:
                candidates = [f"{table}.{column}"]
            else:
                candidates = [f"{table}.{c}" for c in self.graph.columns_of(table)] + [f"{table}.*"]
            nodes.extend(n for n in candidates if n in self.graph.graph)
        return nodes

    def _edge_passes(self, data: Mapping[str, Any], options: ViewOptions) -> bool:
        if data["type"] not in options.types:
            return False
        if options.since is None and options.until is None:
            return True
        for path in data["origins"]:
            moment = instant(origin_of(path, self.origins).time or "")
            if moment is None:
                return True
            if (options.since is None or moment >= options.since) and (
                options.until is None or moment <= options.until
            ):
                return True
        return False

    def _reach(self, starts: Sequence[str], options: ViewOptions) -> dict[str, int]:
        hops: dict[str, int] = dict.fromkeys(starts, 0)
        graph = self.graph.graph
        for sign, neighbours in ((1, graph.out_edges), (-1, graph.in_edges)):
            if (sign == 1 and options.direction == "upstream") or (
                sign == -1 and options.direction == "downstream"
            ):
                continue
            frontier = list(starts)
            for step in range(1, options.hops + 1):
                following: list[str] = []
                for node in frontier:
                    for source, target, data in neighbours(node, data=True):
                        other = target if sign == 1 else source
                        if other in hops or not self._edge_passes(data, options):
                            continue
                        hops[other] = sign * step
                        following.append(other)
                frontier = following
                if not frontier:
                    break
        return hops

    def view(self, target: str, options: ViewOptions | None = None) -> LineageView:
        """The neighbourhood of `target` under `options`, laid out for drawing."""
        options = options or ViewOptions()
        options = replace(options, hops=max(1, min(MAX_HOPS, options.hops)))
        starts = self.start_nodes(target)
        hops = self._reach(starts, options)
        if options.phi_only:
            hops = {n: h for n, h in hops.items() if n in starts or self._phi(n)}
        edges: dict[tuple[str, str, str], tuple[set[str], set[str | None], set[str]]] = {}
        for source, target_node, data in self.graph.graph.edges(list(hops), data=True):
            if target_node not in hops or not self._edge_passes(data, options):
                continue
            subtypes, transforms, origins = edges.setdefault(
                (source, target_node, data["type"]), (set(), set(), set())
            )
            subtypes.add(data["subtype"])
            transforms.update(transform for _, transform, _ in data["origins"].values())
            origins.update(origin_of(p, self.origins).label() for p in data["origins"])
        column_edges = [
            ViewEdge(s, t, ty, tuple(sorted(sub)), _weakest(tr), tuple(sorted(org)))
            for (s, t, ty), (sub, tr, org) in sorted(edges.items())
        ]
        level: Literal["column", "table"] = "column"
        if options.level == "table" or (options.level == "auto" and len(hops) > COLLAPSE_ABOVE):
            level = "table"
        start_set = set(starts)
        if level == "column":
            nodes = [self._column_node(n, h, n in start_set) for n, h in hops.items()]
            view_edges = column_edges
        else:
            nodes, view_edges = self._collapse(hops, column_edges, start_set)
        placed = _layout(nodes, view_edges)
        return LineageView(target, tuple(placed), tuple(view_edges), level, len(hops), options)

    def _phi(self, node: str) -> bool:
        tags = self.tags.get(node)
        return tags is not None and bool(tags.direct or tags.indirect)

    def _column_node(self, node: str, hop: int, focus: bool) -> ViewNode:
        data = self.graph.graph.nodes[node]
        tags = self.tags.get(node, NodeTags())
        return ViewNode(
            id=node,
            table=data["table"],
            column=data["column"],
            hop=hop,
            x=0.0,
            y=0.0,
            kinds=tuple(sorted(k.value for k in tags.direct)),
            shaped_by=tuple(sorted(k.value for k in tags.indirect)),
            focus=focus,
            external=is_external_table(data["table"], self.external_schemas),
        )

    def _collapse(
        self, hops: Mapping[str, int], edges: Sequence[ViewEdge], starts: set[str]
    ) -> tuple[list[ViewNode], list[ViewEdge]]:
        members: dict[str, list[str]] = defaultdict(list)
        for node in hops:
            members[self.graph.graph.nodes[node]["table"]].append(node)
        nodes = []
        for table, columns in members.items():
            hop = min((hops[c] for c in columns), key=lambda h: (abs(h), -h))
            kinds = {k for c in columns for k in self._column_node(c, 0, False).kinds}
            shaped = {k for c in columns for k in self._column_node(c, 0, False).shaped_by} - kinds
            nodes.append(
                ViewNode(
                    id=table,
                    table=table,
                    column=None,
                    hop=hop,
                    x=0.0,
                    y=0.0,
                    kinds=tuple(sorted(kinds)),
                    shaped_by=tuple(sorted(shaped)),
                    focus=any(c in starts for c in columns),
                    external=is_external_table(table, self.external_schemas),
                    columns=len([c for c in columns if not c.endswith(".*")]),
                )
            )
        table_of = {n: self.graph.graph.nodes[n]["table"] for n in hops}
        merged: dict[tuple[str, str, str], tuple[set[str], set[str | None], set[str]]] = {}
        for edge in edges:
            source, target = table_of[edge.source], table_of[edge.target]
            if source == target:
                continue
            subtypes, transforms, origins = merged.setdefault(
                (source, target, edge.type), (set(), set(), set())
            )
            subtypes.update(edge.subtypes)
            transforms.add(edge.transform)
            origins.update(edge.origins)
        return nodes, [
            ViewEdge(s, t, ty, tuple(sorted(sub)), _weakest(tr), tuple(sorted(org)))
            for (s, t, ty), (sub, tr, org) in sorted(merged.items())
        ]

    # -- what a click shows ------------------------------------------------------------------

    def _catalog_columns(self, table: str) -> tuple[str, ...]:
        """A warehouse table's columns as the catalog lists them (lower case, as the graph names them)."""
        key = warehouse_key(table)
        found = self.catalog.tables.get(key) if self.catalog is not None and key is not None else None
        return tuple(c.name.lower() for c in found.columns) if found is not None else ()

    def _catalog_kinds(self, table: str) -> dict[str, frozenset[IdentifierKind]]:
        key = warehouse_key(table)
        found = self.catalog.tables.get(key) if self.catalog is not None and key is not None else None
        return {c.name.lower(): frozenset(c.kinds) for c in found.columns} if found is not None else {}

    def details(self, node: str, options: ViewOptions | None = None) -> NodeDetails:
        """Columns, kinds, origins and readers of a column node or a table."""
        options = options or ViewOptions()
        graph = self.graph.graph
        if node in graph:
            table, column = graph.nodes[node]["table"], graph.nodes[node]["column"]
            members = [node]
        else:
            table, column = node, None
            members = [f"{table}.{c}" for c in self.graph.columns_of(table)] + [f"{table}.*"]
            members = [m for m in members if m in graph]
        tags = [self.tags.get(m, NodeTags()) for m in members]
        kinds = sorted({k.value for t in tags for k in t.direct})
        shaped = sorted({k.value for t in tags for k in t.indirect} - set(kinds))
        known = (
            self.graph.tables().get(table)
            or self._catalog_columns(table)
            or tuple(self.graph.columns_of(table))
        )
        columns = []
        classified = self._catalog_kinds(table)
        for name in known:
            tag = self.tags.get(f"{table}.{name}") or NodeTags(classified.get(name, frozenset()))
            columns.append(
                (
                    name,
                    tuple(sorted(k.value for k in tag.direct)),
                    tuple(sorted(k.value for k in tag.indirect - tag.direct)),
                )
            )
        origins: set[str] = set()
        upstream = downstream = 0
        for member in members:
            for _, _, data in graph.in_edges(member, data=True):
                upstream += 1
                origins.update(origin_of(p, self.origins).label() for p in data["origins"])
            downstream += graph.out_degree(member)
        readers = None
        if self.reads is not None:
            if column is None or column == "*":
                readers = readers_of(self.reads, tables=[table], since=options.since, until=options.until)
            else:
                readers = readers_of(self.reads, columns=[node], since=options.since, until=options.until)
        return NodeDetails(
            node=node,
            table=table,
            column=column,
            kinds=tuple(kinds),
            shaped_by=tuple(shaped),
            columns=tuple(columns),
            upstream=upstream,
            downstream=downstream,
            origins=tuple(sorted(origins)),
            readers=None if readers is None else tuple(readers),
        )


def _minute(text: str) -> str:
    """An ISO time to the minute, for a narrow table (UTC as stored)."""
    return text[:16].replace("T", " ") if len(text) >= 16 else text


def _weakest(transforms: Iterable[str | None]) -> str | None:
    """The least protective transform among alternatives (a value copied once in clear is in clear)."""
    order: dict[str | None, int] = {None: 0, "generalize": 1, "hash": 2, "count": 3, "mask": 3}
    return min(transforms, key=lambda t: order.get(t, 0), default=None)


# -- layout ------------------------------------------------------------------------------------------


def _layout(nodes: Sequence[ViewNode], edges: Sequence[ViewEdge]) -> list[ViewNode]:
    """x = hop; within a hop, tables in the order of their neighbours in the previous hop, columns sorted."""
    by_hop: dict[int, list[ViewNode]] = defaultdict(list)
    for node in nodes:
        by_hop[node.hop].append(node)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
    position: dict[str, float] = {}
    placed: list[ViewNode] = []
    hops = sorted(by_hop)
    # start from the focus column and work outwards, so each hop follows the one nearer the focus
    order = sorted(hops, key=lambda h: (abs(h), -h))
    for hop in order:
        groups: dict[str, list[ViewNode]] = defaultdict(list)
        for node in by_hop[hop]:
            groups[node.table].append(node)

        def anchor(table: str, members: list[ViewNode]) -> tuple[float, str]:
            seen = [position[n] for m in members for n in neighbours[m.id] if n in position]
            return (sum(seen) / len(seen) if seen else 0.0, table)

        tables = sorted(groups.items(), key=lambda item: anchor(*item))
        y = 0.0
        column_positions: list[tuple[ViewNode, float]] = []
        for _, members in tables:
            for member in sorted(members, key=lambda n: (n.column == "*", n.column or "")):
                column_positions.append((member, y))
                y += 1.0
            y += 0.6  # a gap between tables
        height = y - 0.6 - 1.0 if column_positions else 0.0
        for member, offset in column_positions:
            centred = height / 2 - offset
            position[member.id] = centred
            placed.append(replace(member, x=float(hop), y=centred))
    return placed


# -- drawing -----------------------------------------------------------------------------------------


def figure_spec(view: LineageView) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Plotly traces (always four, in `TRACE_*` order) and layout for a view, as plain dicts."""
    at = {n.id: n for n in view.nodes}
    lines: dict[str, tuple[list[float | None], list[float | None], list[int]]] = {
        t: ([], [], []) for t in EDGE_TYPES
    }
    info_x: list[float] = []
    info_y: list[float] = []
    info_text: list[str] = []
    for edge in view.edges:
        a, b = at.get(edge.source), at.get(edge.target)
        if a is None or b is None:
            continue
        xs, ys, sizes = lines[edge.type]
        # start, arrow head at 82%, end: the arrow points along the edge (angleref="previous")
        ax, ay = a.x + 0.82 * (b.x - a.x), a.y + 0.82 * (b.y - a.y)
        xs.extend([a.x, ax, b.x, None])
        ys.extend([a.y, ay, b.y, None])
        sizes.extend([0, 11, 0, 0])
        info_x.append(a.x + 0.5 * (b.x - a.x))
        info_y.append(a.y + 0.5 * (b.y - a.y))
        subtypes = ", ".join(edge.subtypes)
        protected = f"<br>protected: {edge.transform}" if edge.transform else ""
        origins = "<br>".join(html.escape(o) for o in edge.origins[:4])
        more = f"<br>... {len(edge.origins) - 4} more" if len(edge.origins) > 4 else ""
        info_text.append(
            f"{html.escape(edge.source)} &#8594; {html.escape(edge.target)}<br>{edge.type}: {subtypes}"
            f"{protected}<br>{origins}{more}"
        )
    styles = {
        "DIRECT": {"color": "#546e7a", "width": 1.4, "dash": "solid"},
        "INDIRECT": {"color": "#b0bec5", "width": 1.0, "dash": "dot"},
    }
    traces: list[dict[str, Any]] = []
    for kind in EDGE_TYPES:
        xs, ys, sizes = lines[kind]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{kind} edges",
                "x": xs,
                "y": ys,
                "line": styles[kind],
                "marker": {
                    "symbol": "arrow",
                    "angleref": "previous",
                    "size": sizes,
                    "color": styles[kind]["color"],
                },
                "hoverinfo": "skip",
                "showlegend": True,
            }
        )
    traces.append(
        {
            "type": "scatter",
            "mode": "markers",
            "name": "edge details",
            "x": info_x,
            "y": info_y,
            "marker": {"size": 6, "color": "rgba(0,0,0,0)"},
            "hovertext": info_text,
            "hoverinfo": "text",
            "showlegend": False,
        }
    )
    colors, sizes, symbols, lines_width, hover, text, ids = [], [], [], [], [], [], []
    for node in view.nodes:
        kind = "phi" if node.kinds else "shaped" if node.shaped_by else "plain"
        colors.append(_COLORS[kind])
        sizes.append(16 if node.focus else 11)
        symbols.append("diamond" if node.external else "circle")
        lines_width.append(3 if node.focus else 1)
        text.append(html.escape(node.label))
        ids.append(node.id)
        extra = f"<br>{node.columns} columns" if node.column is None else ""
        hover.append(
            f"<b>{html.escape(node.id)}</b><br>kinds: {', '.join(node.kinds) or 'none'}"
            + (f"<br>shaped by: {', '.join(node.shaped_by)}" if node.shaped_by else "")
            + f"<br>hop {node.hop}{extra}"
            + ("<br>outside the covered entity" if node.external else "")
        )
    traces.append(
        {
            "type": "scatter",
            "mode": "markers+text",
            "name": "columns" if view.level == "column" else "tables",
            "x": [n.x for n in view.nodes],
            "y": [n.y for n in view.nodes],
            "text": text,
            "textposition": "middle right",
            "textfont": {"size": 11},
            "customdata": ids,
            "hovertext": hover,
            "hoverinfo": "text",
            "marker": {
                "size": sizes,
                "color": colors,
                "symbol": symbols,
                "line": {"width": lines_width, "color": _COLORS["focus"]},
            },
            "showlegend": False,
        }
    )
    annotations = []
    if view.level == "column":
        tops: dict[tuple[int, str], float] = {}
        for node in view.nodes:
            key = (node.hop, node.table)
            tops[key] = max(tops.get(key, node.y), node.y)
        for (hop, table), top in sorted(tops.items()):
            annotations.append(
                {
                    "x": hop,
                    "y": top + 0.55,
                    "text": f"<b>{html.escape(table)}</b>",
                    "showarrow": False,
                    "xanchor": "left",
                    "font": {"size": 11, "color": "#263238"},
                }
            )
    hop_values = sorted({n.hop for n in view.nodes}) or [0]
    tallest = max([sum(1 for n in view.nodes if n.hop == h) for h in hop_values] or [1])
    tables_per_hop = max([len({n.table for n in view.nodes if n.hop == h}) for h in hop_values] or [1])
    height = int(max(420, min(1400, 26 * tallest + 16 * tables_per_hop + 140)))
    layout = {
        "height": height,
        "margin": {"l": 20, "r": 20, "t": 30, "b": 40},
        "xaxis": {
            "tickvals": hop_values,
            "ticktext": [_hop_label(h) for h in hop_values],
            "showgrid": False,
            "zeroline": False,
            "range": [min(hop_values) - 0.3, max(hop_values) + 0.9],
        },
        "yaxis": {"visible": False},
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "clickmode": "event",
        "dragmode": "pan",
        "uirevision": view.target,
        "legend": {"orientation": "h", "y": -0.08},
        "annotations": annotations,
    }
    return traces, layout


def _hop_label(hop: int) -> str:
    if hop == 0:
        return "target"
    return f"{abs(hop)} hop{'s' if abs(hop) != 1 else ''} {'down' if hop > 0 else 'up'}stream"


def figure(view: LineageView) -> Any:
    """A plotly `Figure` of the view."""
    import plotly.graph_objects as go

    traces, layout = figure_spec(view)
    layout["title"] = {"text": html.escape(view.summary()), "font": {"size": 13}}
    layout["margin"]["t"] = 40
    return go.Figure(data=traces, layout=layout)
