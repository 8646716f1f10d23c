"""`workbench scan text`: find PHI in JSON lines of text, write one JSON line of findings per input line.

    workbench scan text [--jsonl FILE] [--fast] < notes.jsonl > findings.jsonl

Input lines are ``{"id": ..., "text": ...}``; output lines are
``{"id": <echoed unchanged>, "findings": [{"start", "end", "kind", "score"}]}`` in input order, one per
input line, offsets in Unicode code points with ``end`` exclusive, findings sorted by start.

The id is echoed as written: numbers keep their spelling (``1E2`` stays ``1E2``, a 5,000-digit integer
stays whole), and output is ASCII, so lone surrogates and Unicode line breaks (U+2028, U+2029, U+0085)
travel as ``\\uXXXX`` escapes that parse back to the same id. A leading UTF-8 byte-order mark is skipped;
a final newline is optional.

All input is read and checked, and every answer computed, before anything is written: a line that is
not such an object (not JSON, ``NaN``/``Infinity``, a duplicate key, nesting too deep to read, an id
with invalid UTF-8, a blank line) stops the run with exit code 1, nothing on standard output, and a
one-line message naming the line (never its content). Empty input gives empty output.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from workbench.errors import BadInput

if TYPE_CHECKING:
    from workbench.detect.engine import Mode
from workbench.settings import Settings

BATCH_LINES = 64
BOM = b"\xef\xbb\xbf"
SHAPE = 'each line must be {"id": ..., "text": "..."}'


@dataclass(frozen=True, slots=True)
class _Verbatim:
    """JSON text written back exactly as read (a number) or as built (punctuation)."""

    text: str


class _DuplicateKey(ValueError):
    """An object in the line names the same key twice."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) != len(pairs):
        raise _DuplicateKey
    return record


def _refuse_constant(name: str) -> Any:
    raise ValueError("NaN and Infinity are not JSON")


_DECODER = json.JSONDecoder(
    parse_float=_Verbatim,
    parse_int=_Verbatim,
    parse_constant=_refuse_constant,
    object_pairs_hook=_unique_keys,
)


def _encode(value: Any) -> str:
    """`value` as JSON, numbers as they were written, strings ASCII-escaped; no recursion, any depth."""
    parts: list[str] = []
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, _Verbatim):
            parts.append(item.text)
            continue
        if isinstance(item, dict):
            tokens: list[Any] = [_Verbatim("{")]
            for index, (key, member) in enumerate(item.items()):
                tokens += [_Verbatim((", " if index else "") + json.dumps(key) + ": "), member]
            tokens.append(_Verbatim("}"))
        elif isinstance(item, list):
            tokens = [_Verbatim("[")]
            for index, member in enumerate(item):
                tokens += [_Verbatim(", "), member] if index else [member]
            tokens.append(_Verbatim("]"))
        else:  # str, bool or None: ensure_ascii escapes lone surrogates and U+2028/U+2029/U+0085
            parts.append(json.dumps(item))
            continue
        pending.extend(reversed(tokens))
    return "".join(parts)


def _parse(raw: bytes) -> Any:
    """The JSON value of one line; invalid UTF-8 is replaced in the text but refused in the id."""
    try:
        return _DECODER.decode(raw.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    record = _DECODER.decode(raw.decode("utf-8", errors="replace"))
    as_read = _DECODER.decode(raw.decode("utf-8", errors="surrogateescape"))
    if isinstance(record, dict) and isinstance(as_read, dict) and record.get("id") != as_read.get("id"):
        raise UnicodeError("the id is not valid UTF-8")
    return record


def _lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) per line, a leading byte-order mark dropped."""
    for number, raw in enumerate(stream, 1):
        if number == 1 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
            if not raw:
                return
        yield number, raw


def _record(number: int, raw: bytes) -> tuple[int, Any, str]:
    """(line number, id, text) of one line, or `BadInput` naming the line (never its content)."""
    if not raw.strip(b" \t\r\n"):
        raise BadInput(f"Line {number} is empty: remove blank lines; {SHAPE}.")
    try:
        record = _parse(raw)
    except _DuplicateKey:
        raise BadInput(f"Line {number} repeats a key; {SHAPE}.") from None
    except UnicodeError:
        raise BadInput(f"Line {number} has an id that is not valid UTF-8; {SHAPE}.") from None
    except RecursionError:
        raise BadInput(f"Line {number} is nested too deeply to read; {SHAPE}.") from None
    except ValueError:
        raise BadInput(f"Line {number} is not valid JSON; {SHAPE}.") from None
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise BadInput(f'Line {number} has no "text" string; {SHAPE}.')
    return number, record.get("id"), record["text"]


def _read_all(stream: BinaryIO) -> list[tuple[int, Any, str]]:
    """Every record of `stream`, validated before any is scanned: a bad line raises, nothing is written."""
    return [_record(number, raw) for number, raw in _lines(stream)]


def _answer(batch: list[tuple[int, Any, str]], mode: Mode) -> list[str]:
    """One output line per record of `batch`."""
    from workbench.detect.engine import detect_many

    found_per_line = detect_many([text for _n, _i, text in batch], mode=mode)
    lines = []
    for (_number, record_id, _text), findings in zip(batch, found_per_line, strict=True):
        found = [
            {"start": f.start, "end": f.end, "kind": f.kind.value, "score": round(f.score, 3)}
            for f in findings
        ]
        lines.append(f'{{"id": {_encode(record_id)}, "findings": {json.dumps(found)}}}\n')
    return lines


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
    out: list[str] = []
    batch: list[tuple[int, Any, str]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH_LINES or sum(len(text) for _n, _i, text in batch) > 1_000_000:
            out += _answer(batch, mode)
            batch = []
    if batch:
        out += _answer(batch, mode)
    sys.stdout.write("".join(out))  # all or nothing: an error above leaves standard output empty
    sys.stdout.flush()
    return 0


def register(parser: argparse.ArgumentParser, parser_class: type[argparse.ArgumentParser]) -> None:
    """Add the scan subcommands to `parser` (the `scan` command)."""
    sub = parser.add_subparsers(dest="scan_command", required=True, parser_class=parser_class)
    text = sub.add_parser(
        "text",
        help='Find PHI in JSON lines {"id", "text"}; write {"id", "findings"} per line.',
        description='Read JSON lines {"id": ..., "text": ...} (standard input when no --jsonl) and write '
        'one JSON line {"id", "findings": [{"start", "end", "kind", "score"}]} per input line.',
        allow_abbrev=False,  # `--json` must not be taken for `--jsonl`, nor `--jso FILE` accepted
    )
    text.add_argument("--jsonl", type=Path, help="read this file instead of standard input")
    text.add_argument(
        "--fast", action="store_true", help="patterns, dictionaries and context only (no NER model)"
    )
    text.add_argument(
        "--json", action="store_true", help="accepted as by every command; the output is JSON already"
    )
    text.set_defaults(func=cmd_scan_text, json_errors=False)  # stdout holds only results
