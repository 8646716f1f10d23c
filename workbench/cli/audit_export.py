"""`workbench ledger query | export | ship | archive`: audit evidence out of the ledger.

    workbench ledger query [--since ISO] [--until ISO] [--who U] [--table T] [--column T.C]
                           [--action A] [--outcome O] [--purpose P] [--break-glass] [--json]
    workbench ledger export --format json|ecs|cef|leef|leef2|ocsf|splunk-hec [--since ISO] [--until ISO]
                            [--output FILE] [--force]
    workbench ledger ship --to splunk-hec URL --token-file F | --to syslog HOST:PORT [--tls] [--format F]
                          [--once] [--spool DIR]
    workbench ledger archive --before ISO [--output FILE]
                             | --verify FILE [--keyring DIR] [--trusted-key FILE ...] [--allow-unsigned]

Times need an explicit UTC offset; ranges are ``since <= ts < until``. Registered into the
`ledger` command by `register_into`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from workbench.render import print_json, render_table
from workbench.settings import Settings

SHIP_TARGETS = ("splunk-hec", "syslog")


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", help="first instant, inclusive, with offset (2026-03-08T00:00:00-05:00)")
    parser.add_argument("--until", help="end instant, exclusive, with offset")


def criteria_from(args: argparse.Namespace) -> Any:
    from workbench.audit_query import AuditFilter, parse_instant

    return AuditFilter(
        since=parse_instant(args.since, "--since") if args.since else None,
        until=parse_instant(args.until, "--until") if args.until else None,
        who=getattr(args, "who", None),
        table=getattr(args, "table", None),
        column=getattr(args, "column", None),
        action=getattr(args, "action", None),
        outcome=getattr(args, "outcome", None),
        purpose=getattr(args, "purpose", None),
        break_glass=bool(getattr(args, "break_glass", False)),
    )


def cmd_ledger_query(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.audit_query import ANSWER_COLUMNS, query_ledger

    answer = query_ledger(settings, criteria_from(args))
    if args.json:
        print_json(answer.to_json())
    else:
        print(render_table(ANSWER_COLUMNS, answer.rows(), limit=10_000))
        print(answer.coverage_sentence())
    return 0 if answer.coverage.complete else 3


def cmd_ledger_export(args: argparse.Namespace, settings: Settings) -> int:
    """Export; exit 3 when the ledger fails verification (nothing written unless --force)."""
    from workbench.siem.export import export

    criteria = criteria_from(args)
    if args.output:
        path = Path(args.output)
        with _exclusive_output(path) as out:
            summary = export(settings, args.format, criteria, out, force=args.force)
        if args.json:
            print_json({**summary.to_json(), "output": str(path)})
        else:
            print(
                f"Exported {summary.entries} entries and {summary.checkpoints} checkpoints as {args.format} "
                f"to {path} (recorded as ledger entry {summary.recorded_seq})."
            )
    else:
        sys.stdout.flush()
        out = getattr(sys.stdout, "buffer", None)
        if out is None:  # a text-only stdout (some embedding hosts): write through a bytes shim
            out = _TextSink(sys.stdout)
        summary = export(settings, args.format, criteria, out, force=args.force)
    if not summary.complete:
        print(
            f"workbench: Ledger integrity failure: {summary.kind} at sequence {summary.first_bad_seq}; "
            "exported anyway (--force), ending with an integrity event: the export is incomplete.",
            file=sys.stderr,
        )
        return 3
    return 0


class _TextSink:
    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, data: bytes) -> int:
        self.stream.write(data.decode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self.stream.flush()


@contextmanager
def _exclusive_output(path: Path) -> Iterator[Any]:
    """A temporary file beside `path`, moved to `path` when the block succeeds and removed when it
    fails, so a failed export leaves nothing behind; an existing `path` is never overwritten."""
    import tempfile

    from workbench.errors import BadInput

    def exists() -> BadInput:
        return BadInput(f"{path} already exists; pass another --output.")

    if path.exists():
        raise exists()
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    staging = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(staging, path)  # fails if `path` appeared meanwhile: never overwrites
        except FileExistsError:
            raise exists() from None
    finally:
        staging.unlink(missing_ok=True)


def cmd_ledger_ship(args: argparse.Namespace, settings: Settings) -> int:
    from workbench import audit
    from workbench.audit_query import current_principal
    from workbench.errors import UsageError
    from workbench.siem import hec, syslog
    from workbench.siem.checkpoints import checkpoint_records
    from workbench.siem.events import Source
    from workbench.siem.formats import format_event
    from workbench.siem.ship import Receiver, ShipOptions, Shipper
    from workbench.siem.spool import Spool

    kind, address = args.to
    if kind not in SHIP_TARGETS:
        raise UsageError(f"--to takes splunk-hec URL or syslog HOST:PORT, not {kind!r}")
    source = Source.local()
    receiver: Receiver
    if kind == "splunk-hec":
        if not args.token_file:
            raise UsageError("--to splunk-hec needs --token-file F (a file holding the HEC token)")
        if args.format not in (None, "splunk-hec"):
            raise UsageError("--to splunk-hec ships the splunk-hec format only")
        form = "splunk-hec"
        receiver = hec.HecReceiver(
            address, hec.read_token(Path(args.token_file)), args.timeout_seconds, _path(args.ca_file)
        )

        def to_unit(event: Any) -> str:
            return format_event("splunk-hec", event, source)

    else:
        form = args.format or "cef"
        if form == "splunk-hec":
            raise UsageError("--to syslog ships a line format (json, ecs, cef, leef, leef2 or ocsf)")
        receiver = syslog.SyslogReceiver(address, args.tls, args.timeout_seconds, _path(args.ca_file))

        def to_unit(event: Any) -> str:
            return syslog.message(event, format_event(cast(Any, form), event, source), source)

    target = f"{kind} {receiver.label}"
    folder = Path(args.spool) if args.spool else default_spool(settings, kind, address)
    options = ShipOptions(
        batch_size=args.batch_size, poll_seconds=args.poll_seconds, max_backoff=args.max_backoff_seconds
    )
    audit.record(
        settings,
        "export",
        "ok",
        {"mode": "once" if args.once else "follow", "to": kind, "receiver": receiver.label, "format": form},
        current_principal(settings),
    )
    with Spool(folder, {"target": target, "format": form}) as spool:
        shipper = Shipper(
            audit.ledger(settings),
            spool,
            receiver,
            to_unit,
            lambda: checkpoint_records(settings),
            options,
            notify=lambda message: print(f"workbench: {message}", file=sys.stderr, flush=True),
        )
        if args.once:
            shipper.run_once()
        else:
            stop = threading.Event()
            with _stop_on_signals(stop):
                if not args.json:
                    print(f"Shipping {form} to {target}; spool {folder}. Stop with Ctrl-C.", flush=True)
                shipper.run(stop)
    status = shipper.status
    if args.json:
        print_json({"target": target, "format": form, "spool": str(folder), **vars(status)})
    else:
        print(
            f"Delivered {status.delivered_units} events in {status.delivered_batches} batches to {target}; "
            f"{status.pending} batches left in {folder}."
        )
    return 0


def default_spool(settings: Settings, kind: str, address: str) -> Path:
    """``$WORKBENCH_HOME/spool/<kind>-<12 hex of the address>``: one spool per receiver."""
    return settings.home / "spool" / f"{kind}-{hashlib.sha256(address.encode()).hexdigest()[:12]}"


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set `stop` (so the current batch finishes cleanly) while following."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda *_: stop.set())
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def cmd_ledger_archive(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.audit_query import parse_instant
    from workbench.errors import UsageError
    from workbench.retention import archive

    if args.verify:
        if args.before or args.output:
            raise UsageError("--verify FILE takes no --before or --output")
        return _verify_archive_command(args, settings)
    if args.keyring or args.trusted_key or args.allow_unsigned:
        raise UsageError("--keyring, --trusted-key and --allow-unsigned go with --verify FILE")
    if not args.before:
        raise UsageError("archive needs --before ISO (or --verify FILE)")
    report = archive(settings, parse_instant(args.before, "--before"), _path(args.output))
    if args.json:
        print_json(report.to_json())
    elif report.path is None:
        print("Nothing to archive: no entry before that time (or no checkpoint covers them yet).")
    else:
        kept = "removed from" if report.removed_from_live else "also kept in"
        print(
            f"Archived entries {report.first_seq}..{report.last_seq} ({report.entries}) with "
            f"{report.checkpoints} checkpoints to {report.path}; they are {kept} the live ledger."
        )
    return 0


def _auditor_keys(args: argparse.Namespace) -> tuple[Any, ...] | None:
    """The verifier keys the auditor gave (--keyring DIR, --trusted-key FILE), or None for none given."""
    from workbench.errors import LedgerError, UsageError
    from workbench.ledger.checkpoint import NoteVerifier
    from workbench.ledger.keyring import Keyring

    if not args.keyring and not args.trusted_key:
        return None
    keys: list[NoteVerifier] = []
    if args.keyring:
        folder = Path(args.keyring)
        if not folder.is_dir():
            raise UsageError(f"--keyring {folder} is not a folder of .vkey files")
        found = Keyring(folder).verifiers()
        if not found:
            raise UsageError(f"--keyring {folder} holds no .vkey file")
        keys += found
    for name in args.trusted_key or ():
        try:
            keys.append(NoteVerifier.from_vkey(Path(name).read_text(encoding="utf-8")))
        except OSError as exc:
            raise UsageError(f"--trusted-key {name} cannot be read ({type(exc).__name__})") from None
        except LedgerError as exc:
            raise UsageError(f"--trusted-key {name}: {exc.message}") from None
    return tuple(keys)


def _verify_archive_command(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.retention import live_archive_check, verify_archive

    path = Path(args.verify)
    keys = _auditor_keys(args)
    check = verify_archive(path, keys)
    live = live_archive_check(settings, path, check) if check.ok else None
    problem = check.problem
    if problem is None and live is not None and not live.consistent:
        problem = live.sentence
    unsigned = check.ok and not check.covered
    if problem is None and unsigned and not args.allow_unsigned:
        problem = (
            f"no signed checkpoint covers entry {check.last_seq}, the archive's last "
            "(pass --allow-unsigned to accept an archive held together by its hash chain alone)"
        )
    if args.json:
        print_json(
            {
                **check.to_json(),
                "ok": problem is None,
                "problem": problem,
                "live": None if live is None else live.to_json(),
            }
        )
    elif problem is None:
        signers = ", ".join(check.signers) or "none"
        print(
            f"Archive OK: entries {check.first_seq}..{check.last_seq} ({check.entries}), "
            f"{check.checkpoints} checkpoints, hash chain intact; signed through entry "
            f"{check.signed_through or 0}; signer key ids: {signers}."
        )
        if keys is None:
            print(
                "The signer keys came from the archive itself: compare these key ids with the ones "
                "your organisation published (or pass --keyring DIR / --trusted-key FILE)."
            )
        else:
            print(f"Signatures checked against {len(keys)} key(s) you gave, not the archive's own.")
        if live is not None:
            print(live.sentence)
    if problem is not None:
        print(f"workbench: archive integrity failure: {problem}.", file=sys.stderr)
        return 3
    if unsigned:
        print(
            f"workbench: warning: no signed checkpoint covers entry {check.last_seq}; the archive "
            "is held together by its hash chain alone, which anyone can recompute.",
            file=sys.stderr,
        )
    return 0


def register_into(
    ledger_subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parser_class: type[argparse.ArgumentParser],
) -> None:
    """Add query, export, ship and archive to the `workbench ledger` subcommands.

    The subcommand parsers take their class from `ledger_subparsers`; `parser_class` is accepted so
    every command module registers with the same signature.
    """
    from workbench.ledger import LEDGER_ACTIONS, OUTCOMES
    from workbench.siem.formats import FORMAT_NAMES

    def add(name: str, func: Any, help_text: str) -> argparse.ArgumentParser:
        cmd = ledger_subparsers.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument("--json", action="store_true", help="print machine-readable JSON")
        cmd.set_defaults(func=func)
        return cmd

    query = add(
        "query", cmd_ledger_query, "Answer an audit question: entries by time, person, table, outcome."
    )
    add_filter_arguments(query)
    query.add_argument("--who", help="the actor (user name), exactly")
    query.add_argument("--table", help="a warehouse table the entry names")
    query.add_argument("--column", help="a column the entry names, as TABLE.COLUMN")
    query.add_argument("--action", choices=LEDGER_ACTIONS)
    query.add_argument("--outcome", choices=OUTCOMES)
    query.add_argument("--purpose", help="the purpose of use recorded")
    query.add_argument("--break-glass", action="store_true", help="only emergency-access entries")

    export = add(
        "export", cmd_ledger_export, "Write ledger entries and checkpoints for a SIEM, one per line."
    )
    export.add_argument("--format", required=True, choices=FORMAT_NAMES)
    add_filter_arguments(export)
    export.add_argument("--output", help="write to this new file instead of standard output")
    export.add_argument(
        "--force",
        action="store_true",
        help="export even when the ledger fails verification (exit 3; the stream ends with an integrity event)",
    )

    ship = add("ship", cmd_ledger_ship, "Follow the ledger and deliver new entries to a SIEM receiver.")
    ship.add_argument(
        "--to",
        nargs=2,
        required=True,
        metavar=("KIND", "ADDRESS"),
        help="splunk-hec URL, or syslog HOST:PORT",
    )
    ship.add_argument("--token-file", help="file holding the HEC token (splunk-hec)")
    ship.add_argument("--tls", action="store_true", help="syslog over TLS (RFC 5425)")
    ship.add_argument("--ca-file", help="CA certificates to trust for TLS/HTTPS")
    ship.add_argument("--format", choices=FORMAT_NAMES, help="syslog message format (default cef)")
    ship.add_argument("--spool", help="spool folder (default $WORKBENCH_HOME/spool/<target>)")
    ship.add_argument("--once", action="store_true", help="deliver what is new, then exit")
    ship.add_argument("--batch-size", type=int, default=500)
    ship.add_argument("--poll-seconds", type=float, default=1.0)
    ship.add_argument("--max-backoff-seconds", type=float, default=30.0)
    ship.add_argument("--timeout-seconds", type=float, default=10.0)

    archive = add(
        "archive", cmd_ledger_archive, "Move the oldest entries to an archive file that verifies alone."
    )
    archive.add_argument("--before", help="archive entries recorded before this instant (with offset)")
    archive.add_argument(
        "--output", help="archive file (default $WORKBENCH_HOME/archive/ledger-FIRST-LAST.jsonl)"
    )
    archive.add_argument("--verify", metavar="FILE", help="check an archive file on its own")
    archive.add_argument(
        "--keyring", metavar="DIR", help="with --verify: trust the .vkey files in DIR, not the archive's keys"
    )
    archive.add_argument(
        "--trusted-key",
        metavar="FILE",
        action="append",
        help="with --verify: trust this verifier key file (repeatable), not the archive's keys",
    )
    archive.add_argument(
        "--allow-unsigned",
        action="store_true",
        help="with --verify: accept an archive no signed checkpoint covers (a warning is printed)",
    )
