"""Every format writes one line per event, and the fields parse back: exactly, as the documented
substitute, or as a flagged prefix. Hostile values sit in every free-text field of real entries."""

from __future__ import annotations

import base64
import json
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.siem.parsers import parse_cef, parse_leef
from tests.siem.sample import FORGED_CEF, HOSTILE, checkpoint, hostile_event, ledger_with
from workbench.ledger import LedgerEntry
from workbench.siem.events import Source
from workbench.siem.formats import FORMAT_NAMES, format_event

SOURCE = Source(host="collector-1", version="0.1.0")
SUB = "\ufffd"
BREAKS = set("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")  # embeddings, overrides, isolates
CEF_LIMITS = {"suser": 1023, "spriv": 1023, "reason": 1023, "msg": 1023, "cs1": 4000, "cs2": 4000}


def substituted(value: str, keep: str = "\t", also: str = "") -> str:
    """The documented substitute: line breaks, control characters (except `keep`), bidi embeddings,
    overrides and isolates, and `also` -> U+FFFD."""

    def bad(c: str) -> bool:
        if c in keep:
            return False
        return c in BREAKS or c in BIDI or unicodedata.category(c) == "Cc" or c in also

    return "".join(SUB if bad(c) else c for c in value)


def deep(value: Any, change: Any) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [deep(v, change) for v in value]
    if isinstance(value, dict):
        return {change(k): deep(v, change) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def hostile_entries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LedgerEntry]:
    path = tmp_path_factory.mktemp("hostile") / "ledger.sqlite"
    _, entries = ledger_with(path, [hostile_event(value) for _, value in HOSTILE])
    return {name: entry for (name, _), entry in zip(HOSTILE, entries, strict=True)}


def assert_one_line(line: str) -> None:
    assert "\n" not in line and "\r" not in line
    assert len(line.splitlines()) == 1


def stored(entry: LedgerEntry) -> dict[str, object]:
    return {
        "seq": entry.seq,
        "ts": entry.ts,
        "actor": entry.actor,
        "role": entry.role,
        "purpose": entry.purpose,
        "action": entry.action,
        "outcome": entry.outcome,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


NAMES = [name for name, _ in HOSTILE]


@pytest.mark.parametrize("form", FORMAT_NAMES)
@pytest.mark.parametrize("name", NAMES)
def test_one_line_per_event(form: str, name: str, hostile_entries: dict[str, LedgerEntry]) -> None:
    line = format_event(form, hostile_entries[name], SOURCE)  # type: ignore[arg-type]
    assert_one_line(line)
    assert_one_line(format_event(form, checkpoint(7), SOURCE))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", NAMES)
def test_json_round_trips_exactly(name: str, hostile_entries: dict[str, LedgerEntry]) -> None:
    entry = hostile_entries[name]
    parsed = json.loads(format_event("json", entry, SOURCE))
    assert parsed == {"kind": "entry", **stored(entry)}


@pytest.mark.parametrize("name", NAMES)
def test_json_escapes_bidi_and_separators_losslessly(
    name: str, hostile_entries: dict[str, LedgerEntry]
) -> None:
    line = format_event("json", hostile_entries[name], SOURCE)
    assert not any(c in line for c in "\u2028\u2029\u202e\x85\x7f\x00")


@pytest.mark.parametrize("name", NAMES)
def test_splunk_hec_round_trips_with_exact_epoch_seconds(
    name: str, hostile_entries: dict[str, LedgerEntry]
) -> None:
    entry = hostile_entries[name]
    parsed = json.loads(format_event("splunk-hec", entry, SOURCE), parse_float=Decimal)
    assert parsed["time"] == Decimal("1796306701.000000") + Decimal(entry.seq - 1) / 1000
    assert parsed["event"] == {"kind": "entry", **stored(entry)}
    assert (parsed["host"], parsed["sourcetype"]) == ("collector-1", "phi_workbench:ledger")


@pytest.mark.parametrize("name", NAMES)
def test_ecs_round_trips(name: str, hostile_entries: dict[str, LedgerEntry]) -> None:
    entry = hostile_entries[name]
    doc = json.loads(format_event("ecs", entry, SOURCE))
    assert doc["@timestamp"] == entry.ts and doc["ecs"]["version"].startswith("8.")
    assert doc["event"]["action"] == "query" and doc["event"]["outcome"] == "failure"
    assert doc["event"]["sequence"] == entry.seq and doc["event"]["id"] == entry.hash
    assert doc["user"]["name"] == entry.actor
    assert doc["user"].get("roles", []) == ([entry.role] if entry.role else [])
    assert doc["event"]["reason"] == entry.detail["reason"]
    ledger = dict(doc["phi_workbench"])
    assert ledger.pop("tables") == sorted({entry.detail["tables"][0].lower()})  # type: ignore[index]
    assert ledger.pop("break_glass") is False
    assert ledger == stored(entry)


@pytest.mark.parametrize("name", NAMES)
def test_ocsf_round_trips(name: str, hostile_entries: dict[str, LedgerEntry]) -> None:
    entry = hostile_entries[name]
    event = json.loads(format_event("ocsf", entry, SOURCE))
    assert (event["class_uid"], event["activity_id"], event["type_uid"]) == (6005, 4, 600504)
    assert event["actor"]["user"]["name"] == entry.actor
    assert event["status_code"] == "denied" and event["status_id"] == 2
    assert event["status_detail"] == entry.detail["reason"]
    assert event["time_dt"] == entry.ts and event["metadata"]["original_time"] == entry.ts
    assert event["unmapped"]["phi_workbench"] == stored(entry)


def cef_expected(value: str, limit: int | None) -> tuple[str, bool]:
    cut = limit is not None and len(value) > limit
    return substituted(value[:limit] if cut else value, keep="\t\n\r"), cut


@pytest.mark.parametrize("name", NAMES)
def test_cef_round_trips_or_flags_truncation(name: str, hostile_entries: dict[str, LedgerEntry]) -> None:
    entry = hostile_entries[name]
    line = format_event("cef", entry, SOURCE)
    cef = parse_cef(line)
    assert (cef.version, cef.vendor, cef.product, cef.signature) == (
        "0",
        "PHI Workbench",
        "phi-workbench",
        "query",
    )
    ext = cef.extension
    flagged = set(ext["cs6"].split(",")) if ext.get("cs6Label") == "truncated" else set()
    for key, original in [("suser", entry.actor), ("spriv", entry.role), ("cs1", entry.purpose)]:
        want, cut = cef_expected(original, CEF_LIMITS[key])
        assert ext.get(key, "") == want, key
        assert (key in flagged) == cut, key
    reason, cut = cef_expected(str(entry.detail["reason"]), 1023)
    assert ext["reason"] == reason and ("reason" in flagged) == cut
    detail_text = json.dumps(entry.detail, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    if len(detail_text) <= 4000:
        assert json.loads(ext["cs2"]) == entry.detail and "cs2" not in flagged
    else:
        assert ext["cs2"] == detail_text[:4000] and "cs2" in flagged
    assert ext["cs3"] == entry.hash and ext["cs4"] == entry.prev_hash and ext["cs5"] == entry.ts
    assert (ext["act"], ext["outcome"], ext["externalId"]) == ("query", "denied", str(entry.seq))
    assert ext["cs1Label"] == "purpose" and ext["cs2Label"] == "detail"
    name_want = substituted(f"query denied on {entry.detail['tables'][0].lower()}")  # type: ignore[index]
    assert cef.name == name_want[:512] and ("name" in flagged) == (len(name_want) > 512)


def test_cef_header_escapes_pipe_and_backslash(hostile_entries: dict[str, LedgerEntry]) -> None:
    line = format_event("cef", hostile_entries["backslash"], SOURCE)
    assert "|query denied on back\\\\slash\\\\|" in line
    line = format_event("cef", hostile_entries["pipe"], SOURCE)
    assert "|query denied on a\\|b\\|c|" in line
    assert "suser=a|b|c " in line  # the extension needs no pipe escape


def test_cef_extension_escapes() -> None:
    from workbench.siem.formats.cef import escape_value

    rows = [
        ("a=b", "a\\=b"),
        ("a\\b", "a\\\\b"),
        ("l1\nl2\rl3", "l1\\nl2\\rl3"),
        ("tab\tkept", "tab\tkept"),
        ("nul\x00", "nul" + SUB),
        ("sep\u2028", "sep" + SUB),
        ("plain text", "plain text"),  # negative row: nothing to escape
        ("a|b", "a|b"),  # pipes are not escaped in the extension
    ]
    for raw, escaped in rows:
        assert escape_value(raw) == escaped, raw


def test_a_forged_cef_user_name_stays_inside_one_field(hostile_entries: dict[str, LedgerEntry]) -> None:
    line = format_event("cef", hostile_entries["forged_cef"], SOURCE)
    assert line.startswith("CEF:0|PHI Workbench|phi-workbench|")
    cef = parse_cef(line)
    assert cef.extension["suser"] == FORGED_CEF
    assert (cef.extension["act"], cef.extension["outcome"], cef.severity) == ("query", "denied", "6")
    assert "admin" not in {cef.extension.get("suser"), cef.extension.get("duser")} - {FORGED_CEF}


@pytest.mark.parametrize("form", ["leef", "leef2"])
@pytest.mark.parametrize("name", NAMES)
def test_leef_round_trips_to_the_documented_substitute(
    form: str, name: str, hostile_entries: dict[str, LedgerEntry]
) -> None:
    entry = hostile_entries[name]
    leef = parse_leef(format_event(form, entry, SOURCE))  # type: ignore[arg-type]
    delimiter = "\t" if form == "leef" else "^"
    assert leef.delimiter == delimiter and leef.version == ("1.0" if form == "leef" else "2.0")
    assert (leef.vendor, leef.product, leef.event_id) == ("PHI Workbench", "phi-workbench", "query")

    def sub(value: str) -> str:
        return substituted(value, keep="" if delimiter == "\t" else "\t", also=delimiter + "|")

    attrs = leef.attributes
    assert attrs["usrName"] == sub(entry.actor)
    assert attrs.get("role", "") == sub(entry.role)
    assert attrs["purpose"] == sub(entry.purpose)
    assert attrs["reason"] == sub(str(entry.detail["reason"]))
    # The detail is ASCII JSON: breaks, tabs and controls are JSON escapes; only | and ^ appear raw.
    raw = "|" + ("^" if delimiter == "^" else "")
    assert json.loads(attrs["detail"]) == deep(
        entry.detail, lambda v: v.translate({ord(c): SUB for c in raw})
    )
    assert (attrs["seq"], attrs["ts"], attrs["hash"], attrs["prevHash"]) == (
        str(entry.seq),
        entry.ts,
        entry.hash,
        entry.prev_hash,
    )
    assert attrs["cat"] == "query" and attrs["outcome"] == "denied" and attrs["sev"] == "6"
    assert attrs["devTime"] == entry.ts[:23] + "+00:00"


def test_leef_without_hostile_values_is_unchanged(hostile_entries: dict[str, LedgerEntry]) -> None:
    leef = parse_leef(format_event("leef2", hostile_entries["unicode"], SOURCE))
    assert leef.attributes["usrName"] == "José Müller 🎉 ﷽"  # negative row: nothing substituted


@pytest.mark.parametrize("form", FORMAT_NAMES)
def test_checkpoints_are_events_of_their_own(form: str) -> None:
    cp = checkpoint(12)
    line = format_event(form, cp, SOURCE)  # type: ignore[arg-type]
    if form == "cef":
        ext = parse_cef(line).extension
        assert (parse_cef(line).signature, ext["externalId"], ext["cs2"], ext["cs3"]) == (
            "checkpoint",
            "12",
            cp.note,
            cp.root_hash,
        )
    elif form in ("leef", "leef2"):
        attrs = parse_leef(line).attributes
        assert attrs["cat"] == "checkpoint" and attrs["treeSize"] == "12"
        assert base64.b64decode(attrs["noteB64"]).decode() == cp.note and attrs["rootHash"] == cp.root_hash
    else:
        doc = json.loads(line)
        body = {
            "json": lambda d: d,
            "splunk-hec": lambda d: d["event"],
            "ecs": lambda d: d["phi_workbench"]["checkpoint"],
            "ocsf": lambda d: d["unmapped"]["phi_workbench"]["checkpoint"],
        }[form](doc)
        assert body["size"] == 12 and body["note"] == cp.note and body["root_hash"] == cp.root_hash
        assert body["signatures"] == list(cp.signatures)


OCSF_CLASSES = [
    # (action, role, class_uid, activity_id)
    ("query", "researcher", 6005, 4),
    ("load", "", 6005, 5),
    ("login", "researcher", 3002, 1),
    ("logout", "researcher", 3002, 2),
    ("login", "break_glass", 3003, 1),
    ("columns", "researcher", 6003, 2),
    ("ledger_read", "", 6003, 2),
    ("archive", "", 6003, 99),
]


@pytest.mark.parametrize(("action", "role", "class_uid", "activity_id"), OCSF_CLASSES)
def test_ocsf_classes_and_required_attributes(
    action: str, role: str, class_uid: int, activity_id: int, tmp_path: Path
) -> None:
    from workbench.ledger import LedgerEvent

    _, (entry,) = ledger_with(
        tmp_path / "l.sqlite",
        [LedgerEvent("ana", role, "research", action, "ok", {"tables": ["patients"]})],  # type: ignore[arg-type]
    )
    event = json.loads(format_event("ocsf", entry, SOURCE))
    for required in (
        "activity_id",
        "category_uid",
        "class_uid",
        "type_uid",
        "severity_id",
        "time",
        "metadata",
    ):
        assert required in event, required
    assert event["metadata"]["version"].startswith("1.") and event["metadata"]["product"]["name"]
    assert (event["class_uid"], event["activity_id"]) == (class_uid, activity_id)
    assert event["type_uid"] == class_uid * 100 + activity_id and event["category_uid"] == class_uid // 1000
    required_by_class = {
        6003: ("actor", "api", "src_endpoint"),
        6005: ("actor", "src_endpoint", "database"),
        3002: ("user", "service"),
        3003: ("user", "privileges"),
    }
    for name in required_by_class[class_uid]:
        assert name in event, name
    if class_uid == 6003:
        assert event["api"]["operation"] == action
    if class_uid == 3003:
        assert event["privileges"] == ["break_glass"] and event["severity_id"] == 4


ECS_OUTCOMES = [("ok", "success"), ("denied", "failure"), ("refused", "failure"), ("error", "failure")]


@pytest.mark.parametrize(("outcome", "expected"), ECS_OUTCOMES)
def test_ecs_outcome_vocabulary(outcome: str, expected: str, tmp_path: Path) -> None:
    from workbench.ledger import LedgerEvent

    _, (entry,) = ledger_with(
        tmp_path / "l.sqlite", [LedgerEvent("ana", "researcher", "research", "query", outcome, {})]
    )  # type: ignore[arg-type]
    doc = json.loads(format_event("ecs", entry, SOURCE))
    assert doc["event"]["outcome"] == expected and doc["event"]["action"] == "query"
    assert doc["event"]["category"] == ["database"] and "access" in doc["event"]["type"]


BIDI_AND_SEPARATORS = [
    # (character, what CEF and LEEF write for it)
    *[(chr(c), SUB) for c in range(0x202A, 0x202F)],  # LRE RLE PDF LRO RLO
    *[(chr(c), SUB) for c in range(0x2066, 0x206A)],  # LRI RLI FSI PDI
    ("\u2028", SUB),
    ("\u2029", SUB),
    ("\u200f", "\u200f"),  # negative row: RLM is a mark, legitimately in right-to-left names
    ("\u05d0", "\u05d0"),  # negative row: Hebrew letter
]


@pytest.mark.parametrize("form", ["cef", "leef", "leef2"])
@pytest.mark.parametrize(("char", "written"), BIDI_AND_SEPARATORS)
def test_cef_and_leef_substitute_bidi_controls(form: str, char: str, written: str, tmp_path: Path) -> None:
    value = f"admin{char}txt.exe"
    _, (entry,) = ledger_with(tmp_path / "l.sqlite", [hostile_event(value)])
    line = format_event(form, entry, SOURCE)  # type: ignore[arg-type]
    assert_one_line(line)
    if written == SUB:
        assert char not in line
    if form == "cef":
        cef = parse_cef(line)
        assert (
            cef.extension["suser"] == f"admin{written}txt.exe"
            and cef.extension["spriv"] == cef.extension["suser"]
        )
    else:
        leef = parse_leef(line)
        assert leef.attributes["usrName"] == f"admin{written}txt.exe"
