"""Canonical serialization v1: what is equal, what differs, what is refused."""

from __future__ import annotations

import json
import random
import unicodedata
from enum import IntEnum

import pytest

from workbench.errors import LedgerError
from workbench.kinds import IdentifierKind, Purpose
from workbench.ledger.canonical import (
    GENESIS_PREV_HASH,
    detail_json,
    entry_bytes,
    entry_hash,
    parse_detail,
)
from workbench.ledger.verify import StoredRow, row_bytes

BASE = {
    "seq": 7,
    "ts": "2026-12-03T14:05:01.123456+00:00",
    "actor": "ana",
    "role": "researcher",
    "purpose": "research",
    "action": "query",
    "outcome": "ok",
    "prev_hash": GENESIS_PREV_HASH,
}


def canonical(detail: dict[str, object] | None = None, **fields: object) -> bytes:
    """Canonical bytes of BASE with `fields` overridden."""
    values = {**BASE, **fields}
    return entry_bytes(detail_text=detail_json(detail or {}), **values)  # type: ignore[arg-type]


def spec_bytes(detail: dict[str, object], **fields: object) -> bytes:
    """The definition in docs/ledger.md, written out with json.dumps over the whole entry."""
    entry = {"v": 1, **BASE, **fields, "detail": detail}
    text = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


NFC = unicodedata.normalize("NFC", "José")
NFD = unicodedata.normalize("NFD", "José")

# (name, left, right): two entries that must serialize (and hash) identically.
SAME = [
    ("detail key order", canonical({"a": 1, "b": 2}), canonical({"b": 2, "a": 1})),
    ("nested key order", canonical({"x": {"p": 1, "q": [1, 2]}}), canonical({"x": {"q": [1, 2], "p": 1}})),
    ("str enum in detail", canonical({"kinds": [IdentifierKind.SSN]}), canonical({"kinds": ["SSN"]})),
]

# (name, left, right): two entries that must differ.
DIFFERENT = [
    ("NFC vs NFD actor", canonical(actor=NFC), canonical(actor=NFD)),
    ("NFC vs NFD detail", canonical({"who": NFC}), canonical({"who": NFD})),
    ("actor|role boundary", canonical(actor="a|b", role="c"), canonical(actor="a", role="b|c")),
    ("role|purpose boundary", canonical(role="a", purpose=""), canonical(role="", purpose="a")),
    ("quote in a field", canonical(actor='a","role":"b'), canonical(actor="a", role="b")),
    ("seq", canonical(seq=1), canonical(seq=2)),
    ("prev_hash", canonical(prev_hash="0" * 64), canonical(prev_hash="0" * 63 + "1")),
    ("int vs str", canonical({"rows": 1}), canonical({"rows": "1"})),
    ("bool vs int", canonical({"ok": True}), canonical({"ok": 1})),
    ("null vs empty", canonical({"x": None}), canonical({"x": ""})),
    ("list order", canonical({"t": ["a", "b"]}), canonical({"t": ["b", "a"]})),
    ("case", canonical(actor="Ana"), canonical(actor="ana")),
    ("trailing space", canonical(actor="ana "), canonical(actor="ana")),
]


@pytest.mark.parametrize(("name", "left", "right"), SAME, ids=[row[0] for row in SAME])
def test_equal_entries_serialize_identically(name: str, left: bytes, right: bytes) -> None:
    assert left == right and entry_hash(left) == entry_hash(right)


@pytest.mark.parametrize(("name", "left", "right"), DIFFERENT, ids=[row[0] for row in DIFFERENT])
def test_different_entries_serialize_differently(name: str, left: bytes, right: bytes) -> None:
    assert left != right and entry_hash(left) != entry_hash(right)


class Level(IntEnum):
    LOW = 1


class Opaque:
    pass


def _self_containing() -> dict[str, object]:
    loop: list[object] = []
    loop.append(loop)
    return {"loop": loop}


# (name, detail): details the canonical form cannot hold.
REFUSED_DETAILS = [
    ("float", {"ratio": 0.5}),
    ("integral float", {"rows": 3.0}),
    ("NaN", {"x": float("nan")}),
    ("infinity", {"x": float("inf")}),
    ("float inside a list", {"xs": [1, 2.5]}),
    ("lone surrogate value", {"name": "a\ud800b"}),
    ("lone surrogate key", {"\udfff": 1}),
    ("int key", {1: "a"}),
    ("None key", {None: "a"}),
    ("tuple key", {("a", "b"): 1}),
    ("tuple value", {"cols": ("a", "b")}),
    ("set value", {"cols": {"a"}}),
    ("bytes value", {"raw": b"x"}),
    ("object value", {"thing": Opaque()}),
    ("contains itself", _self_containing()),
]


@pytest.mark.parametrize(("name", "detail"), REFUSED_DETAILS, ids=[row[0] for row in REFUSED_DETAILS])
def test_details_outside_json_are_refused(name: str, detail: dict[object, object]) -> None:
    with pytest.raises(LedgerError) as caught:
        detail_json(detail)  # type: ignore[arg-type]
    assert "0.5" not in str(caught.value) and "a\ud800b" not in str(caught.value)


def test_float_refusal_says_why() -> None:
    with pytest.raises(LedgerError, match="string or an integer"):
        detail_json({"ratio": 0.5})


# (name, detail, canonical text): accepted details and their stored text.
ACCEPTED_DETAILS = [
    ("empty", {}, "{}"),
    ("sorted, compact", {"b": [1, None, True], "a": "x"}, '{"a":"x","b":[1,null,true]}'),
    ("non-ASCII kept raw", {"who": "José 李"}, '{"who":"José 李"}'),
    ("escapes", {"s": 'q"b\\n\n\x01'}, '{"s":"q\\"b\\\\n\\n\\u0001"}'),
    ("big int", {"n": 2**70}, '{"n":1180591620717411303424}'),
    ("negative int", {"n": -1}, '{"n":-1}'),
    ("IntEnum is its int", {"level": Level.LOW}, '{"level":1}'),
]


@pytest.mark.parametrize(
    ("name", "detail", "text"), ACCEPTED_DETAILS, ids=[row[0] for row in ACCEPTED_DETAILS]
)
def test_accepted_details_have_one_text(name: str, detail: dict[str, object], text: str) -> None:
    assert detail_json(detail) == text
    assert parse_detail(text) == json.loads(text)


# (name, field overrides): top-level fields the canonical form cannot hold.
REFUSED_FIELDS = [
    ("lone surrogate actor", {"actor": "ana\ud800"}),
    ("lone surrogate ts", {"ts": "\udc00"}),
    ("int actor", {"actor": 5}),
    ("None role", {"role": None}),
    ("str enum purpose (Ledger.append normalizes it first)", {"purpose": Purpose.RESEARCH}),
    ("bool seq", {"seq": True}),
    ("str seq", {"seq": "7"}),
]


@pytest.mark.parametrize(("name", "fields"), REFUSED_FIELDS, ids=[row[0] for row in REFUSED_FIELDS])
def test_fields_outside_text_are_refused(name: str, fields: dict[str, object]) -> None:
    with pytest.raises(LedgerError):
        canonical(None, **fields)


# (name, stored detail text): texts verification must not accept as canonical.
NON_CANONICAL_TEXTS = [
    ("spaces", '{"a": 1}'),
    ("key order", '{"b":1,"a":2}'),
    ("duplicate key", '{"a":1,"a":1}'),
    ("escaped non-ASCII", '{"a":"\\u00e9"}'),
    ("escaped lone surrogate", '{"a":"\\ud800"}'),
    ("float", '{"a":1.0}'),
    ("exponent", '{"a":1e3}'),
    ("NaN", '{"a":NaN}'),
    ("array at top", "[1]"),
    ("string at top", '"a"'),
    ("not JSON", "{a:1}"),
    ("trailing newline", '{"a":1}\n'),
]


@pytest.mark.parametrize(("name", "text"), NON_CANONICAL_TEXTS, ids=[row[0] for row in NON_CANONICAL_TEXTS])
def test_non_canonical_detail_text_is_refused(name: str, text: str) -> None:
    with pytest.raises(LedgerError):
        parse_detail(text)


# Field values that stress the hand-written key order and string encoding of entry_bytes.
AWKWARD = [
    "",
    "a|b\\c=d",
    'x","outcome":"ok',
    "line\nbreak\ttab\r\x00\x1f\x7f",
    "\u2028\u2029",
    "José 李雷 🧪",
    NFD,
    "\\u0041",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_entry_bytes_follow_the_documented_definition(text: str) -> None:
    detail: dict[str, object] = {"k": text, text: [text, 1, None, False], "nested": {"z": text, "a": {}}}
    fields = {"actor": text, "role": text, "purpose": text, "ts": text, "action": text, "outcome": text}
    assert canonical(detail, **fields) == spec_bytes(detail, **fields)


# Pieces that could blur field boundaries if quoting were ever skipped or done twice.
PIECES = ['"', "\\", ",", ":", "{", "}", "[", "]", "a", "|", "\\u0022", '","role":"', "\n", "é", "e\u0301"]


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4)))


def test_different_stored_rows_never_serialize_alike() -> None:
    """Rows as verification reads them (detail embedded as stored, even if not canonical): the
    bytes can be split back into fields one way only, so different rows never share a hash."""
    rng = random.Random(6962)
    seen: dict[bytes, tuple[object, ...]] = {}
    details = ["{}", '{"a":1}', '{},"outcome":"ok"', '{"x":"}"}', '{"a":1,"a":2}', "{}}", '{"k":"\\""}']
    for _ in range(20_000):
        row = StoredRow(
            rng.randint(1, 3),
            random_text(rng),
            random_text(rng),
            random_text(rng),
            random_text(rng),
            rng.choice(["query", "login"]),
            rng.choice(["ok", "denied"]),
            rng.choice(details),
            random_text(rng),
            "",
        )
        data = row_bytes(row)
        key = tuple(row)
        assert seen.setdefault(data, key) == key, (seen[data], key)
    assert len(seen) > 15_000


def test_the_verifier_serializes_stored_rows_exactly_as_the_definition() -> None:
    rng = random.Random(9162)
    for _ in range(2_000):
        fields = {name: random_text(rng) for name in ("ts", "actor", "role", "purpose", "action", "outcome")}
        detail = {random_text(rng): random_text(rng) for _ in range(rng.randint(0, 3))}
        assert canonical(detail, **fields) == spec_bytes(detail, **fields)
