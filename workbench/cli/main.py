"""`workbench` command line. Parses arguments, calls the core, prints; nothing else.

Exit codes: 0 success; 1 error (usage, bad input, unknown table, malformed SQL, engine error);
2 refused by governance; 3 integrity failure. Failures print one line to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from workbench.cli import ledger as ledger_commands
from workbench.cli import lineage as lineage_commands
from workbench.cli import scan as scan_commands
from workbench.errors import UsageError, WorkbenchError
from workbench.render import print_json, render_table
from workbench.settings import Settings


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}; run `{self.prog} --help` for usage.")


def cmd_login(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.access import login

    principal = login(settings, args.user, args.role, args.purpose)
    if args.json:
        print_json(principal.to_json())
    else:
        print(
            f"Logged in as {principal.user} ({principal.role}, purpose {principal.purpose}) until {principal.expires:%Y-%m-%d %H:%M} UTC"
        )
    return 0


def cmd_logout(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.access import logout

    previous = logout(settings)
    if args.json:
        print_json({"logged_out": previous.user if previous else None})
    else:
        print(f"Logged out {previous.user}." if previous else "No session was open.")
    return 0


def cmd_whoami(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.access import whoami

    principal = whoami(settings)
    if args.json:
        print_json(principal.to_json())
    else:
        print(
            f"{principal.user}  role={principal.role}  purpose={principal.purpose}  expires={principal.expires.isoformat()}"
        )
    return 0


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.loading import load_synthea_export

    report = load_synthea_export(Path(args.directory), settings)
    if args.json:
        print_json({"tables": report.tables, "extra_columns": report.extra_columns})
    else:
        total = sum(report.tables.values())
        print(f"Loaded {len(report.tables)} tables, {total} rows, into {settings.warehouse_path}")
        for table, columns in report.extra_columns.items():
            print(f"  {table}: extra columns loaded as text: {', '.join(columns)}")
    return 0


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.loading import seed

    report = seed(settings)
    message = "Warehouse already seeded." if report is None else f"Seeded {len(report.tables)} tables."
    if args.json:
        print_json({"seeded": report is not None, "home": str(settings.home)})
    else:
        print(f"{message} Workspace: {settings.home}")
    return 0


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.governed.query import run_query

    sql = args.sql if args.sql != "-" else sys.stdin.read()
    result = run_query(sql, settings, purpose=args.purpose)
    if args.json:
        print_json(result.to_json())
    else:
        print(render_table(result.columns, result.rows, limit=settings.display_limit))
    return 0


def cmd_columns(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.catalog import list_columns

    tags = list_columns(settings, args.table)
    if args.json:
        print_json(tags)
    else:
        rows = [
            (t["table"], t["column"], ",".join(t["kinds"]) or "-", t["confidence"], t["evidence"])
            for t in tags
        ]
        print(render_table(("table", "column", "kinds", "confidence", "evidence"), rows, limit=10_000))
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.demo import run_demo

    return run_demo(settings, print, as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="workbench", description="Governed access to protected health information.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(
        name: str, func: Callable[[argparse.Namespace, Settings], int], help_text: str
    ) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument("--json", action="store_true", help="print machine-readable JSON")
        cmd.set_defaults(func=func)
        return cmd

    login = add("login", cmd_login, "Start a session in a role (shared with the Jupyter kernel).")
    login.add_argument("--user", required=True, help="your user name")
    login.add_argument("--role", required=True, help="a role of the policy, e.g. researcher")
    login.add_argument("--purpose", help="purpose of use (default: the role's)")
    add("logout", cmd_logout, "End the session.")
    add("whoami", cmd_whoami, "Show the current session.")
    load = add("load", cmd_load, "Load data into the warehouse.")
    load.add_argument("source", choices=["synthea"], help="the export format")
    load.add_argument("directory", help="folder holding the CSV files")
    add("seed", cmd_seed, "Load the bundled synthetic hospital if the warehouse is empty.")
    query = add("query", cmd_query, "Run one governed SQL query as the logged-in principal.")
    query.add_argument("--purpose", help="purpose of use for this query (default: the session's)")
    query.add_argument("sql", help="the SQL text, or - to read it from standard input")
    columns = add("columns", cmd_columns, "Show the identifier kinds found in each column.")
    columns.add_argument("table", nargs="?", help="one table (default: all)")
    ledger_commands.register(sub.add_parser("ledger", help="Audit ledger commands."), _Parser)
    lineage_commands.register(
        sub.add_parser(
            "lineage", help="Column lineage from SQL files, dbt projects, query logs and OpenLineage events."
        ),
        _Parser,
    )
    scan_commands.register(sub.add_parser("scan", help="Find PHI in text (JSON lines)."), _Parser)
    lineage_commands.register_impact(sub.add_parser("impact", help="Breach impact of a table or column."))
    add("demo", cmd_demo, "Run a headless tour: load, query as two roles, verify the ledger.")
    return parser


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    args: argparse.Namespace | None = None
    try:
        args = build_parser().parse_args(argv)
        settings = settings or Settings.load()
        settings.ensure_home()
        return int(args.func(args, settings))
    except WorkbenchError as error:
        print(f"workbench: {error.message}", file=sys.stderr)
        words = sys.argv[1:] if argv is None else list(argv)
        # a command whose stdout is a stream of results (`scan text`) keeps errors off it
        if "--json" in words and getattr(args, "json_errors", True):
            print_json({"error": error.message, "kind": type(error).__name__, "exit_code": error.exit_code})
        return error.exit_code
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, as other command-line tools do
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep the exit flush from failing again
        return 0
    except KeyboardInterrupt:
        print("workbench: interrupted.", file=sys.stderr)
        return 130


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
