"""Canonical serialization v1 of a ledger entry: the exact bytes its SHA-256 is taken over.

An entry is the JSON object

    {"v": 1, "seq": …, "ts": …, "actor": …, "role": …, "purpose": …, "action": …,
     "outcome": …, "detail": {…}, "prev_hash": …}

written by ``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
allow_nan=False)`` and encoded as strict UTF-8; ``hash = sha256(bytes).hexdigest()``. Because
`prev_hash` is inside the bytes, each hash covers the whole chain before it. JSON string
quoting keeps field boundaries unambiguous, and Unicode is never normalized (NFC and NFD
spellings of a name are different entries). docs/ledger.md states the format for auditors.

Only str, int, bool, None, lists and objects with str keys may appear in `detail`. Floats are
refused: the decimal text of a binary float differs between writers and versions, so a
recomputed hash could differ from the stored one; record a string or an integer instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from json.encoder import encode_basestring
from typing import Final, NoReturn

from workbench.errors import LedgerError

SERIALIZATION_VERSION: Final = 1
GENESIS_PREV_HASH: Final = "0" * 64
"""The `prev_hash` of entry 1: there is no entry before it."""

_FLOAT_WHY = (
    "the decimal text of a binary float differs between writers, so its hash could not be recomputed; "
    "record a string or an integer instead"
)


def plain(value: object) -> object:
    """`value` rebuilt from plain JSON types (str subclasses such as enums become str), or LedgerError.

    The error names the offending type only, never the value (it might be PHI).
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        raise LedgerError(f"Ledger detail holds a float; {_FLOAT_WHY}.")
    if isinstance(value, str):
        return _checked_text(str.__str__(value), "detail")
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        out: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise LedgerError(
                    f"Ledger detail has a {type(key).__name__} key; JSON objects take str keys only."
                )
            out[_checked_text(str.__str__(key), "detail")] = plain(item)
        if len(out) != len(value):
            raise LedgerError("Ledger detail has two keys that spell the same text; keep one.")
        return out
    raise LedgerError(
        f"Ledger detail holds a {type(value).__name__}; use only str, int, bool, None, lists and "
        "objects with str keys."
    )


def detail_json(detail: Mapping[str, object]) -> str:
    """The canonical JSON text of a detail object, as stored in the `detail` column."""
    try:
        return _dumps(plain(detail))
    except RecursionError:  # a container that holds itself, or absurd nesting
        raise LedgerError("Ledger detail is nested too deeply (or contains itself).") from None


def parse_detail(text: str) -> dict[str, object]:
    """Read a stored `detail` column back; refuse it unless it is exactly canonical JSON of an object.

    Comparing with the re-serialized text also refuses duplicate keys, other spacing or key order.
    """
    try:
        value = _DECODER.decode(text)
    except (ValueError, TypeError, RecursionError):
        raise LedgerError("A ledger detail is not JSON without floats.") from None
    if not isinstance(value, dict) or _dumps(value) != text:
        raise LedgerError("A ledger detail is not the canonical JSON of an object.")
    return value


def entry_bytes(
    *,
    seq: int,
    ts: str,
    actor: str,
    role: str,
    purpose: str,
    action: str,
    outcome: str,
    detail_text: str,
    prev_hash: str,
) -> bytes:
    """The canonical v1 bytes of one entry; `detail_text` is the canonical detail JSON (as stored).

    The result is exactly the serialization of the whole entry object described above; it is
    written out in sorted key order, each string through the same encoder, so that verification
    does not build and re-encode an object per entry. Tests check the equivalence.
    """
    if type(seq) is not int:
        raise LedgerError("A ledger seq must be an integer.")
    fields = {"ts": ts, "actor": actor, "role": role, "purpose": purpose}
    fields |= {"action": action, "outcome": outcome, "prev_hash": prev_hash, "detail": detail_text}
    for name, value in fields.items():
        if type(value) is not str:
            raise LedgerError(f"Ledger field {name!r} must be text.")
    q = encode_basestring  # what the encoder does with a str when ensure_ascii=False
    text = (
        f'{{"action":{q(action)},"actor":{q(actor)},"detail":{detail_text},"outcome":{q(outcome)},'
        f'"prev_hash":{q(prev_hash)},"purpose":{q(purpose)},"role":{q(role)},"seq":{seq},"ts":{q(ts)},'
        f'"v":{SERIALIZATION_VERSION}}}'
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        for name, value in fields.items():
            _checked_text(value, name)
        raise LedgerError("A ledger field holds a lone surrogate, which is not valid Unicode text.") from None


def entry_hash(canonical: bytes) -> str:
    """Lower-case hex SHA-256 of canonical entry bytes."""
    return hashlib.sha256(canonical).hexdigest()


# Exactly json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False),
# with the encoder built once (verification runs it for every entry).
_ENCODER: Final = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _dumps(value: object) -> str:
    try:
        return _ENCODER.encode(value)
    except ValueError:  # allow_nan=False; plain() refuses floats before we get here
        raise LedgerError(f"Ledger entries cannot hold NaN or infinity; {_FLOAT_WHY}.") from None


def _checked_text(text: str, where: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise LedgerError(
            f"Ledger field {where!r} holds a lone surrogate, which is not valid Unicode text."
        ) from None
    return text


def _refuse_float(token: str) -> NoReturn:
    raise ValueError("float in ledger detail")


_DECODER: Final = json.JSONDecoder(parse_float=_refuse_float, parse_constant=_refuse_float)
