"""`workbench lineage build|edges` and `workbench impact`: the column graph's commands."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from workbench.cli import lineage_sources
from workbench.errors import UsageError
from workbench.render import print_json, render_table
from workbench.settings import Settings


def cmd_lineage_build(args: argparse.Namespace, settings: Settings) -> int:
    if getattr(args, "dbt_manifest", None):  # a dbt project: workbench/cli/lineage_sources.py
        return lineage_sources.cmd_build_dbt(args, settings)
    if getattr(args, "catalog", None):
        raise UsageError(
            "--catalog goes with --dbt-manifest: `workbench lineage build --dbt-manifest FILE --catalog FILE`."
        )
    from workbench.lineage import progress
    from workbench.lineage.build import build

    report = build(
        settings,
        [Path(p) for p in args.paths],
        dialect=args.dialect,
        schema_from_warehouse=args.schema_from_warehouse,
        progress=progress.bar,
    )
    if args.json:
        print_json(report.to_json())
        return 0
    print(
        f"Lineage: {report.files} files, {len(report.traced)} traced in {report.seconds:.2f}s, "
        f"{report.statements} statements, {report.edges} edges over {report.columns} columns, "
        f"{report.phi_columns} columns carry PHI."
    )
    if report.removed:
        print(f"Removed {len(report.removed)} files that no longer exist.")
    for error in report.errors:
        print(f"  error {error}")
    return 0


def cmd_lineage_edges(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.lineage.build import lineage_folder
    from workbench.lineage.graph import LineageGraph

    graph = LineageGraph.load(lineage_folder(settings))
    edges = list(graph.edges())
    if args.json:
        for edge in edges:
            print(json.dumps(edge.to_json(), ensure_ascii=False))
        return 0
    rows = [(e.source, e.target, f"{e.type}:{e.subtype}", e.grade, e.transform or "") for e in edges]
    print(render_table(("source", "target", "type", "grade", "transform"), rows, limit=len(rows) or 1))
    return 0


def cmd_impact(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.lineage.impact import impact

    report = impact(settings, args.target, since=args.since, until=args.until)
    if args.json:
        print_json(report.to_json())
    else:
        print(report.summary())
    return 0


def register(parser: argparse.ArgumentParser, parser_class: type[argparse.ArgumentParser]) -> None:
    """Add the lineage subcommands to `parser` (the `lineage` command)."""
    parser.description = (
        "Column lineage from SQL files, dbt projects, query logs and OpenLineage events; "
        "`workbench impact` answers from it."
    )
    sub = parser.add_subparsers(dest="lineage_command", required=True, parser_class=parser_class)
    build = sub.add_parser(
        "build",
        help="Trace SQL files and folders into the workspace's column graph (only changed files).",
        description="Trace SQL files and folders into the workspace's column graph (only changed files).",
    )
    build.add_argument("paths", nargs="*", metavar="PATH", help="SQL files or folders (default: rebuild all)")
    build.add_argument(
        "--dialect",
        help="SQL dialect: duckdb (default), postgres, ...; a rebuild keeps each file's own unless given",
    )
    build.add_argument(
        "--schema-from-warehouse",
        action="store_true",
        help="expand SELECT * from the warehouse's information_schema",
    )
    build.add_argument("--json", action="store_true", help="print machine-readable JSON")
    lineage_sources.add_dbt_arguments(build)
    build.set_defaults(func=cmd_lineage_build)
    edges = sub.add_parser("edges", help="List the column graph's edges.")
    edges.add_argument("--json", action="store_true", help="one JSON object per line")
    edges.set_defaults(func=cmd_lineage_edges)
    lineage_sources.register(sub)  # import-history, import-openlineage, export


def register_impact(parser: argparse.ArgumentParser) -> None:
    """Configure `parser` as the `impact` command."""
    parser.add_argument("target", metavar="TARGET", help="a table or column, e.g. patients.SSN")
    parser.add_argument("--since", help="start of the window (ISO 8601, UTC unless an offset is given)")
    parser.add_argument(
        "--until",
        help="end of the window (ISO 8601, UTC unless an offset is given; a date alone means the end of that day)",
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.set_defaults(func=cmd_impact)
