"""Lineage from dbt, query logs and OpenLineage at the command line.

    workbench lineage build --dbt-manifest target/manifest.json [--catalog target/catalog.json]
    workbench lineage import-history FILE --format duckdb|postgres [--user NAME] [--dialect D]
    workbench lineage import-openlineage FILE
    workbench lineage export --format openlineage [--namespace NS] [--output FILE]

Long jobs show a progress bar on stderr when it is a terminal.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.errors import BadInput, UsageError
from workbench.render import print_json
from workbench.settings import Settings


def add_dbt_arguments(build: argparse.ArgumentParser) -> None:
    """`--dbt-manifest` and `--catalog` on `workbench lineage build`."""
    build.add_argument(
        "--dbt-manifest", metavar="FILE", help="a dbt project's target/manifest.json (instead of SQL paths)"
    )
    build.add_argument("--catalog", metavar="FILE", help="the project's target/catalog.json, for schemas")


def cmd_build_dbt(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.lineage.dbt import build_dbt
    from workbench.lineage.progress import bar

    if args.paths:
        raise UsageError("Pass either SQL paths or --dbt-manifest, not both.")
    report = build_dbt(
        settings, Path(args.dbt_manifest), Path(args.catalog) if args.catalog else None, progress=bar
    )
    if args.json:
        print_json(report.to_json())
    else:
        print(report.summary())
    return 0


def cmd_import_history(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.lineage.history import import_history
    from workbench.lineage.progress import bar

    report = import_history(
        settings, Path(args.file), args.format, dialect=args.dialect, user=args.user, progress=bar
    )
    if args.json:
        print_json(report.to_json())
    else:
        print(report.summary())
    return 0


def cmd_import_openlineage(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.lineage.openlineage import import_openlineage
    from workbench.lineage.progress import bar

    report = import_openlineage(settings, Path(args.file), progress=bar)
    if args.json:
        print_json(report.to_json())
    else:
        print(report.summary())
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.lineage.openlineage import export_openlineage

    if args.output:
        try:
            out = open(args.output, "w", encoding="utf-8")  # noqa: SIM115 -- closed below
        except OSError as exc:
            reason = "it is a folder" if isinstance(exc, IsADirectoryError) else type(exc).__name__
            raise BadInput(
                f"Cannot write the export file ({reason}); pass --output FILE in an existing folder."
            ) from None
        with out:
            report = export_openlineage(settings, out, namespace=args.namespace)
        print(f"Wrote {report.events} OpenLineage events ({report.edges} column edges) to {args.output}.")
    else:
        export_openlineage(settings, namespace=args.namespace)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `import-history`, `import-openlineage` and `export` to the `lineage` subcommands."""
    history = sub.add_parser(
        "import-history",
        help="Import a query log: write statements add edges (user and time as origin), queries add readers.",
        description="Import a query log: write statements add edges (user and time as origin), "
        "queries add readers.",
    )
    history.add_argument("file", metavar="FILE", help="the log (DuckDB: duckdb_logs export or log folder)")
    history.add_argument("--format", required=True, choices=["duckdb", "postgres"], help="the log's format")
    history.add_argument("--dialect", help="SQL dialect of the statements (default: the format's)")
    history.add_argument("--user", help="user of statements the log names none for (DuckDB logs no user)")
    history.add_argument("--json", action="store_true", help="print machine-readable JSON")
    history.set_defaults(func=cmd_import_history)
    openlineage = sub.add_parser(
        "import-openlineage",
        help="Import OpenLineage run events (JSON lines) with their column-lineage facets.",
        description="Import OpenLineage run events (JSON lines) with their column-lineage facets.",
    )
    openlineage.add_argument("file", metavar="FILE", help="OpenLineage events, one JSON object per line")
    openlineage.add_argument("--json", action="store_true", help="print machine-readable JSON")
    openlineage.set_defaults(func=cmd_import_openlineage)
    export = sub.add_parser(
        "export",
        help="Write the column graph as OpenLineage events with column-lineage facets.",
        description="Write the column graph as OpenLineage events (JSON lines) with column-lineage facets.",
    )
    export.add_argument("--format", required=True, choices=["openlineage"], help="the output format")
    export.add_argument("--namespace", default="workbench", help="OpenLineage namespace of warehouse tables")
    export.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    export.set_defaults(func=cmd_export)
