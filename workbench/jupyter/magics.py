"""`%phi` and `%%phi`: the notebook adapter over the governed path.

    %load_ext workbench
    %phi login --user ana --role researcher [--purpose research]
    %%phi [-o VAR] [--purpose P]
    SELECT FIRST, LAST, BIRTHDATE, ZIP FROM patients

Settings are `%config Phi.display_limit = 50` style traitlets. Errors show as one sentence with
the next step (IPython's UsageError), never a traceback.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.display import display
from traitlets import Float, Int, Unicode
from traitlets.config import Configurable

from workbench.errors import WorkbenchError
from workbench.jupyter.display import OUTPUT_METADATA, GovernedTable
from workbench.render import render_table
from workbench.settings import Settings

USAGE = (
    "Use `%phi login --user NAME --role ROLE`, `%phi whoami`, `%phi logout`, `%phi columns [TABLE]`, "
    "`%phi ledger verify`, `%phi ledger [--since ISO] [--until ISO] [--who U] [--table T] [--outcome O]`, "
    "`%phi impact TABLE[.COLUMN] [--since ISO] [--until ISO]`, "
    "`%phi lineage TABLE[.COLUMN] [--hops N] [--phi-only] [--direct-only] [--level auto|column|table]`, "
    "`%phi lineage build [PATH...] [--dbt-manifest FILE [--catalog FILE]]`, "
    '`%phi scan "TEXT"|VARIABLE|TABLE [--fast]` (a bare word that is no variable is a table), '
    '`%phi scan --table T`, `%phi mask "TEXT"|VARIABLE [--operator OP] [--patient ID] [--fast]`, '
    "`%phi load synthea DIR`, or a `%%phi` cell holding one SQL query."
)


class _LineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}. {USAGE}")


class Phi(Configurable):
    """Workbench settings for this kernel (`%config Phi.<name> = value`)."""

    display_limit = Int(100, help="Rows a %%phi cell shows (the -o variable gets all rows).").tag(config=True)
    home = Unicode("", help="Workspace folder; empty means $WORKBENCH_HOME or ~/.phi-workbench.").tag(
        config=True
    )
    lock_wait_seconds = Float(30.0, help="How long to wait for another process holding the warehouse.").tag(
        config=True
    )


@magics_class
class PhiMagics(Magics):
    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self._quoted_target = False
        self.config_object = Phi(parent=shell)
        shell.configurables.append(self.config_object)

    def settings(self) -> Settings:
        cfg = self.config_object
        base = Settings.load(home=cfg.home) if cfg.home else Settings.load()
        return replace(base, display_limit=cfg.display_limit, lock_wait_seconds=cfg.lock_wait_seconds)

    @line_magic("phi")  # type: ignore[arg-type]  # IPython types the decorator as taking Never
    def phi_line(self, line: str) -> Any:
        try:
            words = shlex.split(line, comments=True)
        except ValueError as exc:
            raise UsageError(f"Could not read the arguments ({exc}). {USAGE}") from None
        if not words:
            raise UsageError(USAGE)
        parts = line.strip().split(None, 1)
        self._quoted_target = len(parts) > 1 and parts[1][:1] in (
            "'",
            '"',
        )  # `%phi scan "text"` vs a variable
        try:
            return self._dispatch(words)
        except WorkbenchError as error:
            raise UsageError(in_notebook_terms(error.message)) from None

    @cell_magic("phi")  # type: ignore[arg-type]
    def phi_cell(self, line: str, cell: str) -> None:
        parser = _LineParser(prog="%%phi", add_help=False)
        parser.add_argument("-o", "--output", help="store the result as a pandas DataFrame in this variable")
        parser.add_argument("--purpose", help="purpose of use for this query")
        try:
            args = parser.parse_args(shlex.split(line, comments=True))
        except ValueError as exc:
            raise UsageError(f"Could not read the cell options ({exc}). {USAGE}") from None
        if args.output and not args.output.isidentifier():
            raise UsageError(f"-o needs a Python variable name, not {args.output!r}.")
        from workbench.governed.query import run_query

        settings = self.settings()
        try:
            result = run_query(cell, settings, purpose=args.purpose)
        except WorkbenchError as error:
            raise UsageError(in_notebook_terms(error.message)) from None
        if args.output:
            assert self.shell is not None
            self.shell.user_ns[args.output] = result.to_frame()
        display(GovernedTable(result, settings.display_limit), metadata=OUTPUT_METADATA)

    def _ledger_query(self, words: list[str], settings: Settings) -> None:
        """`%phi ledger [--since ISO] [--until ISO] [--who U] [--table T] [--outcome O] ...` as a table."""
        from workbench.audit_query import ANSWER_COLUMNS, AuditFilter, parse_instant, query_ledger

        args = _ledger_query_args(words)
        answer = query_ledger(
            settings,
            AuditFilter(
                since=parse_instant(args.since, "--since") if args.since else None,
                until=parse_instant(args.until, "--until") if args.until else None,
                who=args.who,
                table=args.table,
                column=args.column,
                action=args.action,
                outcome=args.outcome,
                purpose=args.purpose,
                break_glass=args.break_glass,
            ),
        )
        rows = answer.rows()
        sentence = answer.coverage_sentence()
        text = render_table(ANSWER_COLUMNS, rows, limit=10_000) + "\n" + sentence
        html = _html_table(ANSWER_COLUMNS, rows) + f"<p>{sentence}</p>"
        display({"text/plain": text, "text/html": html}, raw=True)

    def _dispatch(self, words: list[str]) -> Any:
        from workbench import access, audit, catalog, loading

        settings = self.settings()
        command, rest = words[0], words[1:]
        if command == "login":
            parser = _LineParser(prog="%phi login", add_help=False)
            parser.add_argument("--user", required=True)
            parser.add_argument("--role", required=True)
            parser.add_argument("--purpose")
            args = parser.parse_args(rest)
            principal = access.login(settings, args.user, args.role, args.purpose)
            print(f"Logged in as {principal.user} ({principal.role}, purpose {principal.purpose}).")
            return None
        if command == "logout":
            previous = access.logout(settings)
            print(f"Logged out {previous.user}." if previous else "No session was open.")
            return None
        if command == "whoami":
            principal = access.whoami(settings)
            print(
                f"{principal.user}  role={principal.role}  purpose={principal.purpose}  expires={principal.expires.isoformat()}"
            )
            return None
        if command == "columns":
            tags = catalog.list_columns(settings, rest[0] if rest else None)
            rows = [
                (t["table"], t["column"], ", ".join(t["kinds"]) or "-", t["confidence"], t["evidence"])
                for t in tags
            ]
            text = render_table(("table", "column", "kinds", "confidence", "evidence"), rows, limit=10_000)
            display(
                {
                    "text/plain": text,
                    "text/html": _html_table(("table", "column", "kinds", "confidence", "evidence"), rows),
                },
                raw=True,
            )
            return None
        if command == "ledger" and rest[:1] == ["verify"]:
            verification = audit.verify_ledger(settings)
            if not verification.ok:
                raise UsageError(
                    f"Ledger integrity failure: {verification.finding()}. "
                    "Preserve the workspace and report it to your privacy officer."
                )
            print(f"Ledger OK: {verification.entries} entries, hash chain intact.")
            return None
        if command == "ledger":
            self._ledger_query(rest, settings)
            return None
        if command == "impact":
            from workbench.lineage.impact import impact

            parser = _LineParser(prog="%phi impact", add_help=False)
            parser.add_argument("target")
            parser.add_argument("--since")
            parser.add_argument("--until")
            parser.add_argument("--no-graph", action="store_true")
            args = parser.parse_args(rest)
            report = impact(settings, args.target, since=args.since, until=args.until)
            if not args.no_graph:  # the interactive downstream graph: workbench/jupyter/lineage_widget.py
                from workbench.jupyter.lineage_widget import show_impact

                show_impact(settings, args.target, args.since, args.until)
            return report
        if command == "lineage":  # the interactive lineage view: workbench/jupyter/lineage_widget.py
            from workbench.jupyter.lineage_widget import lineage_command

            return lineage_command(settings, rest, _LineParser)
        if command in ("scan", "mask"):
            from workbench.jupyter import phi_scan

            args = phi_scan.parser(f"%phi {command}").parse_args(rest)  # errors: this command's usage
            quoted = bool(args.target) and self._quoted_target
            run = phi_scan.scan if command == "scan" else phi_scan.mask
            assert self.shell is not None
            return run(self.shell.user_ns, args, quoted, settings)
        if command == "load" and rest[:1] == ["synthea"] and len(rest) == 2:
            loaded = loading.load_synthea_export(Path(rest[1]), settings)
            print(f"Loaded {len(loaded.tables)} tables, {sum(loaded.tables.values())} rows.")
            return None
        raise UsageError(f"Unknown %phi command {command!r}. {USAGE}")


def _ledger_query_args(words: list[str]) -> argparse.Namespace:
    parser = _LineParser(prog="%phi ledger", add_help=False)
    for option in (
        "--since",
        "--until",
        "--who",
        "--table",
        "--column",
        "--action",
        "--outcome",
        "--purpose",
    ):
        parser.add_argument(option)
    parser.add_argument("--break-glass", action="store_true")
    return parser.parse_args(words)


def in_notebook_terms(message: str) -> str:
    """Name the notebook form of a next step: `%phi login` rather than `workbench login`."""
    return message.replace("`workbench ", "`%phi ")


def _html_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    import html

    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table class="dataframe"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magics(PhiMagics(ipython))


def unload_ipython_extension(ipython: Any) -> None:
    pass
