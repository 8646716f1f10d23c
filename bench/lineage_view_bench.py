"""Where the lineage view must collapse to tables: plotly rendering time by graph size, in Chromium.

    .venv/bin/python bench/lineage_view_bench.py [--repeat 5] [--dry-run]

Builds layered synthetic column graphs (tables of 8 columns, each fed by two tables of the layer
before: IDENTITY and TRANSFORMATION edges per column, a JOIN per table), takes the view of the first
table with every hop, and draws it in headless Chromium (/usr/bin/chromium, through Playwright) with
the plotly.js that ships with the plotly package: the time of `Plotly.newPlot` (first draw), of
`Plotly.react` (what a control change costs), and of a hover. The peer is the same graph collapsed
to tables, measured in the same run. The collapse threshold (`COLLAPSE_ABOVE` in
`workbench/lineage/views.py`) is the largest size whose column view draws within 300 ms and redraws
within 300 ms after a control change. Writes the "lineage_view" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import write_section
from workbench.lineage.graph import FileRecord, LineageGraph, Write
from workbench.lineage.sql import ColumnRef
from workbench.lineage.statements import ColumnEdge
from workbench.lineage.views import LineageExplorer, ViewOptions, figure_spec

COLUMNS = 8
DRAW_BUDGET_MS = 300.0
REACT_BUDGET_MS = 300.0
SIZES = (1, 2, 4, 6, 8, 12, 16, 24, 32, 64)  # tables per layer; 4 layers of them
LAYERS = 4
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


def layered_graph(per_layer: int) -> LineageGraph:
    graph = LineageGraph()
    for layer in range(1, LAYERS + 1):
        for t in range(per_layer):
            target = f"l{layer}.t{t}"
            edges: list[tuple[ColumnEdge, int]] = []
            if layer == 1:  # every first-layer table reads the source table
                sources = ["l0.t0", "l0.t0"]
            else:  # each later table reads two tables of the layer before
                sources = [f"l{layer - 1}.t{t}", f"l{layer - 1}.t{(t + 1) % per_layer}"]
            for c in range(COLUMNS):
                edges.append(
                    (
                        ColumnEdge(
                            ColumnRef(sources[0], f"c{c}"), ColumnRef(target, f"c{c}"), "DIRECT", "IDENTITY"
                        ),
                        1,
                    )
                )
                edges.append((ColumnEdge(ColumnRef(sources[1], f"c{(c + 1) % COLUMNS}"), ColumnRef(target, f"c{c}"), "DIRECT", "TRANSFORMATION"), 1))  # fmt: skip
            edges.append(
                (ColumnEdge(ColumnRef(sources[1], "c0"), ColumnRef(target, "*"), "INDIRECT", "JOIN"), 1)
            )
            graph.replace(
                FileRecord(
                    path=f"{target}.sql",
                    sha256=target,
                    dialect="duckdb",
                    schema_digest="",
                    statements=1,
                    errors=(),
                    defines={target: tuple(f"c{c}" for c in range(COLUMNS))},
                    reads=tuple(sources),
                    writes=(Write(target, "create_table", 1),),
                    edges=tuple(sorted(dict(edges).items(), key=lambda item: item[0].key)),
                )
            )
    return graph


MEASURE = """async ([data, layout, repeat]) => {
  const times = {draw: [], react: [], hover: []};
  for (let i = 0; i < repeat; i++) {
    const div = document.createElement('div');
    div.style.width = '1100px';
    document.body.appendChild(div);
    let t = performance.now();
    await Plotly.newPlot(div, data, layout);
    times.draw.push(performance.now() - t);
    const changed = JSON.parse(JSON.stringify(data));
    changed[3].marker.size = changed[3].marker.size.map(s => s + 1);
    t = performance.now();
    await Plotly.react(div, changed, layout);
    times.react.push(performance.now() - t);
    t = performance.now();
    Plotly.Fx.hover(div, [{curveNumber: 3, pointNumber: 0}]);
    times.hover.push(performance.now() - t);
    Plotly.purge(div);
    div.remove();
  }
  return times;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dry-run", action="store_true", help="print, do not write RESULTS.md")
    args = parser.parse_args()
    import plotly
    from playwright.sync_api import sync_playwright

    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    rows = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        page = context.new_page()
        page.set_content("<html><body></body></html>")
        page.add_script_tag(path=str(plotly_js))
        warm = figure_spec(LineageExplorer(layered_graph(1)).view("l0.t0", ViewOptions(hops=LAYERS + 1)))
        page.evaluate(MEASURE, [warm[0], warm[1], 2])  # compile plotly.js once before measuring
        for per_layer in SIZES:
            explorer = LineageExplorer(layered_graph(per_layer))
            measured = {}
            for level in ("column", "table"):
                started = time.perf_counter()
                view = explorer.view(
                    "l0.t0", ViewOptions(hops=LAYERS + 1, level=level, direction="downstream")
                )
                traces, layout = figure_spec(view)
                python_ms = (time.perf_counter() - started) * 1000
                payload = json.dumps([traces, layout])
                times = page.evaluate(MEASURE, [traces, layout, args.repeat])
                measured[level] = {
                    "nodes": len(view.nodes),
                    "edges": len(view.edges),
                    "python": python_ms,
                    "kb": len(payload) / 1024,
                    **{k: statistics.median(v) for k, v in times.items()},
                }
            rows.append(measured)
            c, t = measured["column"], measured["table"]
            print(
                f"{c['nodes']:5d} columns / {t['nodes']:3d} tables: draw {c['draw']:7.1f} ms vs {t['draw']:6.1f} ms "
                f"({c['draw'] / t['draw']:.1f}×), react {c['react']:7.1f} ms, hover {c['hover']:5.1f} ms, "
                f"python {c['python']:6.1f} ms, {c['kb']:7.1f} KB"
            )
        context.close()
    fits = [
        r["column"]["nodes"]
        for r in rows
        if r["column"]["draw"] <= DRAW_BUDGET_MS and r["column"]["react"] <= REACT_BUDGET_MS
    ]
    threshold = max(fits) if fits else 0
    print(
        f"largest column view within {DRAW_BUDGET_MS:.0f} ms draw / {REACT_BUDGET_MS:.0f} ms react: {threshold} nodes"
    )
    lines = [
        "## Lineage view rendering (`bench/lineage_view_bench.py`)",
        "",
        f"Layered synthetic graphs (tables of {COLUMNS} columns, {LAYERS} layers), the downstream view of the first "
        f"table drawn by plotly.js in headless Chromium; median of {args.repeat}. Ratio: column view / the same "
        "graph collapsed to tables, same run.",
        "",
        "| column nodes | edges | draw (ms) | react (ms) | hover (ms) | payload (KB) | table nodes | table draw (ms) | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        c, t = r["column"], r["table"]
        lines.append(
            f"| {c['nodes']} | {c['edges']} | {c['draw']:.1f} | {c['react']:.1f} | {c['hover']:.1f} | {c['kb']:.0f} | "
            f"{t['nodes']} | {t['draw']:.1f} | {c['draw'] / t['draw']:.1f}× |"
        )
    lines += [
        "",
        f"Largest column view drawn within {DRAW_BUDGET_MS:.0f} ms and redrawn within {REACT_BUDGET_MS:.0f} ms: "
        f"**{threshold} nodes**; views above `COLLAPSE_ABOVE` column nodes show tables.",
    ]
    if not args.dry_run:
        write_section("lineage_view", "\n".join(lines))


if __name__ == "__main__":
    main()
