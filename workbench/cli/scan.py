"""`workbench scan text`: find PHI in JSON lines of text, write one JSON line of findings per input line.

    workbench scan text [--jsonl FILE] [--fast] < notes.jsonl > findings.jsonl

Input lines are ``{"id": ..., "text": ...}`` (blank lines are skipped); output lines are
``{"id": <echoed unchanged>, "findings": [{"start", "end", "kind", "score"}]}`` in input order, offsets in
Unicode code points with ``end`` exclusive, findings sorted by start. All input is read and checked
before anything is scanned: a line that is not such an object stops the run with exit code 1, nothing
on standard output, and a one-line message naming the line (never its content).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from workbench.errors import BadInput

if TYPE_CHECKING:
    from workbench.detect.engine import Mode
from workbench.settings import Settings

BATCH_LINES = 64


def _records(stream: BinaryIO) -> Iterator[tuple[int, Any, str] | BadInput]:
    """(line number, id, text) per non-blank line; a `BadInput` (yielded, not raised) for a bad line."""
    for number, raw in enumerate(stream, 1):
        line = raw.decode("utf-8", errors="replace").strip()
        if not line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            yield BadInput(
                f'Line {number} is not valid JSON; each line must be {{"id": ..., "text": "..."}}.'
            )
            return
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield BadInput(
                f'Line {number} has no "text" string; each line must be {{"id": ..., "text": "..."}}.'
            )
            return
        yield number, record.get("id"), record["text"]


def _write(out: Any, batch: list[tuple[int, Any, str]], mode: Mode) -> None:
    from workbench.detect.engine import detect_many

    found_per_line = detect_many([text for _n, _i, text in batch], mode=mode)
    for (_number, record_id, _text), findings in zip(batch, found_per_line, strict=True):
        found = [
            {"start": f.start, "end": f.end, "kind": f.kind.value, "score": round(f.score, 3)}
            for f in findings
        ]
        out.write(json.dumps({"id": record_id, "findings": found}, ensure_ascii=False) + "\n")
    out.flush()


def _read_all(stream: BinaryIO) -> list[tuple[int, Any, str]]:
    """Every record of `stream`, validated before any is scanned: a bad line raises, nothing is written."""
    records = []
    for item in _records(stream):
        if isinstance(item, BadInput):
            raise item
        records.append(item)
    return records


def cmd_scan_text(args: argparse.Namespace, settings: Settings) -> int:
    mode: Mode = "fast" if args.fast else "default"
    try:
        stream: BinaryIO = open(args.jsonl, "rb") if args.jsonl else sys.stdin.buffer  # noqa: SIM115
    except OSError as error:
        raise BadInput(f"Cannot read {args.jsonl}: {error.strerror}.") from None
    try:
        records = _read_all(stream)
    finally:
        if args.jsonl:
            stream.close()
    batch: list[tuple[int, Any, str]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH_LINES or sum(len(text) for _n, _i, text in batch) > 1_000_000:
            _write(sys.stdout, batch, mode)
            batch = []
    if batch:
        _write(sys.stdout, batch, mode)
    return 0


def register(parser: argparse.ArgumentParser, parser_class: type[argparse.ArgumentParser]) -> None:
    """Add the scan subcommands to `parser` (the `scan` command)."""
    sub = parser.add_subparsers(dest="scan_command", required=True, parser_class=parser_class)
    text = sub.add_parser(
        "text",
        help='Find PHI in JSON lines {"id", "text"}; write {"id", "findings"} per line.',
        description='Read JSON lines {"id": ..., "text": ...} (standard input when no --jsonl) and write '
        'one JSON line {"id", "findings": [{"start", "end", "kind", "score"}]} per input line.',
    )
    text.add_argument("--jsonl", type=Path, help="read this file instead of standard input")
    text.add_argument(
        "--fast", action="store_true", help="patterns, dictionaries and context only (no NER model)"
    )
    text.set_defaults(func=cmd_scan_text)
