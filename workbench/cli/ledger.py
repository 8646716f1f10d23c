"""`workbench ledger ...`: the audit ledger's commands."""

from __future__ import annotations

import argparse
import sys

from workbench.render import print_json
from workbench.settings import Settings


def cmd_ledger_verify(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.audit import verify_ledger

    verification = verify_ledger(settings)
    if args.json:
        print_json(verification.to_json())
    elif verification.ok:
        print(f"Ledger OK: {verification.entries} entries, hash chain intact.")
    if not verification.ok:
        print(
            f"Ledger integrity failure: {verification.kind} at sequence {verification.first_bad_seq}. "
            "Preserve the workspace and report it to your privacy officer.",
            file=sys.stderr,
        )
        return 3
    return 0


def register(parser: argparse.ArgumentParser, parser_class: type[argparse.ArgumentParser]) -> None:
    """Add the ledger subcommands to `parser` (the `ledger` command)."""
    sub = parser.add_subparsers(dest="ledger_command", required=True, parser_class=parser_class)
    verify = sub.add_parser("verify", help="Recompute the hash chain and report the first bad entry.")
    verify.add_argument("--json", action="store_true", help="print machine-readable JSON")
    verify.set_defaults(func=cmd_ledger_verify)

    from workbench.cli import audit_export

    audit_export.register_into(sub, parser_class)
