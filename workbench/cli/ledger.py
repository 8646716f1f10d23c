"""`workbench ledger ...`: verify the audit ledger, prove entries and checkpoints, write checkpoints.

    workbench ledger verify [--checkpoint FILE] [--since ISO] [--until ISO] [--json]
    workbench ledger prove SEQ [--json]
    workbench ledger consistency OLD_SIZE [--json]
    workbench ledger checkpoint [--json]
    workbench ledger rotate-key [--json]
    workbench ledger rebuild-tree [--json]

Exit code 3 when the ledger fails verification (or a proof cannot be made because it does).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.errors import UsageError
from workbench.render import print_json
from workbench.settings import Settings

if TYPE_CHECKING:
    from workbench.session import Principal


def cmd_ledger_verify(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.audit import verify_ledger

    since = _instant(args.since, "--since", end_of_day=False) if args.since else None
    until = _instant(args.until, "--until", end_of_day=True) if args.until else None
    checkpoint_file = Path(args.checkpoint) if args.checkpoint else None
    verification = verify_ledger(settings, checkpoint_file, since, until)
    if args.json:
        print_json(verification.to_json())
    elif verification.ok:
        scope = (
            f"entries {verification.checked[0]}-{verification.checked[1]} recomputed"
            if verification.checked
            else f"{verification.entries} entries, hash chain intact"
        )
        head = verification.checkpoint
        if head is None:
            anchor = "no signed checkpoint yet, so the newest entries are protected by the hash chain only"
        else:
            newer = max(verification.entries - head.size, 0)
            anchor = f"Merkle root matches the signed checkpoint of size {head.size}" + (
                f" ({newer} newer entries are covered by the next checkpoint)" if newer else ""
            )
        print(f"Ledger OK: {scope}; {anchor}.")
    if verification.witness_rejected:
        print(
            f"Warning: {verification.witness_rejected} witness line(s) are not checkpoints signed by a "
            "trusted key and were ignored.",
            file=sys.stderr,
        )
    if not verification.ok:
        print(
            f"Ledger integrity failure: {verification.finding()}. "
            "Preserve the workspace and report it to your privacy officer.",
            file=sys.stderr,
        )
        return 3
    return 0


def cmd_ledger_prove(args: argparse.Namespace, settings: Settings) -> int:
    from workbench import audit
    from workbench.ledger.proof import prove_entry

    book = audit.ledger(settings)
    proof = prove_entry(book, audit.notary(settings).trusted(), args.seq)
    audit.record(settings, "ledger_read", "ok", {"command": "prove", "seq": args.seq}, _principal(settings))
    data = proof.to_json()
    if args.json:
        print_json(data)
    else:
        print(f"Entry {args.seq} is leaf {args.seq - 1} of the tree of {data['tree_size']} entries.")
        print(f"entry bytes : {data['entry']}")
        print(f"leaf hash   : {data['leaf_hash']}")
        for n, node in enumerate(proof.proof):
            print(f"proof[{n}]    : {node.hex()}")
        print(f"checkpoint  :\n{proof.checkpoint.note}", end="")
        print(f"verifier key: {data['verifier_key']}")
        print("Check it without PHI Workbench: docs/ledger.md, 'Checking an inclusion proof yourself'.")
    return 0


def cmd_ledger_consistency(args: argparse.Namespace, settings: Settings) -> int:
    from workbench import audit
    from workbench.ledger.proof import prove_consistency

    book = audit.ledger(settings)
    proof = prove_consistency(book, audit.notary(settings).trusted(), args.old_size)
    detail = {"command": "consistency", "old_size": args.old_size}
    audit.record(settings, "ledger_read", "ok", detail, _principal(settings))
    data = proof.to_json()
    if args.json:
        print_json(data)
    else:
        print(f"The tree of {data['new_size']} entries extends the tree of {data['old_size']}.")
        print(f"old root    : {data['old_root']}" + ("" if proof.old_note else " (no witnessed checkpoint)"))
        print(f"new root    : {data['new_root']}")
        for n, node in enumerate(proof.proof):
            print(f"proof[{n}]    : {node.hex()}")
        print(f"new checkpoint:\n{proof.new.note}", end="")
    return 0


def cmd_ledger_checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    from workbench import audit

    signed = audit.ledger(settings).checkpoint()
    if signed is None:
        if args.json:
            print_json({"size": 0})
        else:
            print("The ledger is empty; nothing to checkpoint.")
        return 0
    head = signed.checkpoint
    if args.json:
        print_json({"origin": head.origin, "size": head.size, "root": head.root_b64, "note": signed.note})
    else:
        print(signed.note, end="")
    return 0


def cmd_ledger_rotate_key(args: argparse.Namespace, settings: Settings) -> int:
    from workbench import audit

    keyring = audit.notary(settings).keyring
    new = keyring.rotate().verifier()
    signed = audit.ledger(settings).checkpoint()
    if args.json:
        print_json({"verifier_key": new.vkey(), "checkpoint": signed.note if signed else None})
    else:
        print(
            f"New checkpoint key {new.key_id.hex()}; old public keys stay trusted in {keyring.verifier_dir}."
        )
        print(f"verifier key: {new.vkey()}")
    return 0


def cmd_ledger_rebuild_tree(args: argparse.Namespace, settings: Settings) -> int:
    from workbench import audit

    book = audit.ledger(settings)
    trusted = audit.notary(settings).trusted()
    verification = book.rebuild_tree([signed.checkpoint for signed in trusted.checkpoints])
    if not verification.ok:
        if args.json:
            print_json({"rebuilt": False, **verification.to_json()})
        print(
            f"Ledger integrity failure: {verification.finding()}. The tree was not rebuilt. "
            "Preserve the workspace and report it to your privacy officer.",
            file=sys.stderr,
        )
        return 3
    detail = {"command": "rebuild-tree", **verification.to_json()}
    audit.record(settings, "verify", "ok", detail, _principal(settings))
    if args.json:
        print_json({"rebuilt": True, **verification.to_json()})
    else:
        head = verification.checkpoint
        print(
            f"Merkle tree rebuilt from {verification.entries} verified entries"
            + (f"; it reproduces the signed checkpoint of size {head.size}." if head else ".")
        )
    return 0


def register(parser: argparse.ArgumentParser, parser_class: type[argparse.ArgumentParser]) -> None:
    """Add the ledger subcommands to `parser` (the `ledger` command)."""
    sub = parser.add_subparsers(dest="ledger_command", required=True, parser_class=parser_class)
    verify = sub.add_parser(
        "verify",
        help="Recompute the hash chain and Merkle tree, compare with the signed checkpoints; exit 3 on tampering.",
    )
    verify.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="trust the checkpoints in FILE (a printed note or witness lines) instead of the witness file",
    )
    verify.add_argument("--since", metavar="ISO", help="verify only entries at or after this time")
    verify.add_argument("--until", metavar="ISO", help="verify only entries at or before this time")
    verify.add_argument("--json", action="store_true", help="print machine-readable JSON")
    verify.set_defaults(func=cmd_ledger_verify)

    prove = sub.add_parser(
        "prove", help="Print an inclusion proof for one entry against the newest checkpoint."
    )
    prove.add_argument("seq", type=_positive, metavar="SEQ", help="the entry's sequence number")
    prove.add_argument("--json", action="store_true", help="print machine-readable JSON")
    prove.set_defaults(func=cmd_ledger_prove)

    consistency = sub.add_parser(
        "consistency", help="Print a consistency proof from an older tree size to the newest checkpoint."
    )
    consistency.add_argument("old_size", type=_positive, metavar="OLD_SIZE", help="the older tree size")
    consistency.add_argument("--json", action="store_true", help="print machine-readable JSON")
    consistency.set_defaults(func=cmd_ledger_consistency)

    checkpoint = sub.add_parser(
        "checkpoint", help="Sign the ledger's tree head now and append it to the witness."
    )
    checkpoint.add_argument("--json", action="store_true", help="print machine-readable JSON")
    checkpoint.set_defaults(func=cmd_ledger_checkpoint)

    rotate = sub.add_parser(
        "rotate-key", help="Replace the checkpoint signing key; old checkpoints still verify."
    )
    rotate.add_argument("--json", action="store_true", help="print machine-readable JSON")
    rotate.set_defaults(func=cmd_ledger_rotate_key)

    rebuild = sub.add_parser(
        "rebuild-tree",
        help="Recompute a damaged Merkle tree from the entries, after they verify against the checkpoints.",
    )
    rebuild.add_argument("--json", action="store_true", help="print machine-readable JSON")
    rebuild.set_defaults(func=cmd_ledger_rebuild_tree)

    from workbench.cli import audit_export

    audit_export.register_into(sub, parser_class)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _instant(text: str, flag: str, *, end_of_day: bool) -> datetime:
    """An ISO-8601 date or time; no offset means UTC; a bare date means its start (or end, for --until)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{flag} takes an ISO-8601 date or time, e.g. 2026-12-03T14:05:00Z.") from None
    if end_of_day and len(text) == 10:  # a bare date: through its last microsecond
        moment = datetime.combine(moment.date(), time.max)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _principal(settings: Settings) -> Principal | None:
    from workbench.errors import NoSession
    from workbench.session import current

    try:
        return current(settings)
    except NoSession:
        return None
