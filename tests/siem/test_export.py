"""`workbench ledger export`: one event per line in every format, time ranges, the export recorded,
checkpoints chosen and placed so a receiver can check completeness."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.siem.cli import run
from tests.siem.parsers import parse_cef, parse_leef
from tests.siem.sample import Clock, checkpoint, ledger_with
from workbench.ledger import Ledger, LedgerEvent
from workbench.settings import Settings
from workbench.siem.export import covering_checkpoints, interleave
from workbench.siem.formats import FORMAT_NAMES


def query(n: int, actor: str = "ana") -> LedgerEvent:
    return LedgerEvent(actor, "researcher", "research", "query", "ok", {"n": n, "tables": ["patients"]})


MOMENTS = [
    datetime(2026, 3, 8, 6, 59, 59, 999999, tzinfo=UTC),
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
    datetime(2026, 3, 8, 8, 0, tzinfo=UTC),
]


@pytest.fixture
def ledger(settings: Settings) -> Ledger:
    return ledger_with(settings.ledger_path, [query(n) for n in range(1, 5)], Clock(*MOMENTS))[0]


def seq_of(form: str, line: str) -> int | None:
    """The entry seq a line carries (None for a checkpoint line)."""
    if form == "cef":
        cef = parse_cef(line)
        return None if cef.signature == "checkpoint" else int(cef.extension["externalId"])
    if form in ("leef", "leef2"):
        leef = parse_leef(line)
        return None if leef.event_id == "checkpoint" else int(leef.attributes["seq"])
    doc = json.loads(line)
    body = {
        "json": lambda d: d,
        "splunk-hec": lambda d: d["event"],
        "ecs": lambda d: d.get("phi_workbench", {}),
        "ocsf": lambda d: d["unmapped"]["phi_workbench"],
    }[form](doc)
    return body.get("seq")


@pytest.mark.parametrize("form", FORMAT_NAMES)
def test_export_writes_one_line_per_entry(
    form: str, ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "ledger", "export", "--format", form)
    assert code == 0 and err == ""
    lines = out.split("\n")
    assert lines[-1] == "" and len(lines) == 5
    assert [seq_of(form, line) for line in lines[:-1]] == [1, 2, 3, 4]
    record = ledger.last()
    assert record is not None and record.seq == 5 and record.action == "export"
    assert record.detail == {
        "format": form,
        "criteria": {},
        "entries": 4,
        "first_seq": 1,
        "last_seq": 4,
        "checkpoints": 0,
        "complete": True,
        "kind": None,
    }


EXPORT_RANGES = [
    # (since, until, seqs)
    ("2026-03-08T02:00:00-05:00", "2026-03-08T04:00:00.000001-04:00", [2, 3, 4]),  # across the DST change
    ("2026-03-08T02:00:00-05:00", "2026-03-08T04:00:00-04:00", [2, 3]),  # 04:00 EDT is 08:00 UTC: excluded
    ("2026-03-08T03:00:00-04:00", "2026-03-08T08:00:00Z", [2, 3]),  # equal timestamps, exclusive end
    (None, "2026-03-08T07:00:00Z", [1]),
    ("2026-03-08T08:00:00.000001Z", None, []),
]


@pytest.mark.parametrize(("since", "until", "seqs"), EXPORT_RANGES)
def test_export_ranges(
    since: str | None, until: str | None, seqs: list[int], ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["ledger", "export", "--format", "json"]
    argv += ["--since", since] if since else []
    argv += ["--until", until] if until else []
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert [json.loads(line)["seq"] for line in out.splitlines()] == seqs


def test_export_to_a_new_file(ledger: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.cef"
    code, out, _ = run(capsys, "ledger", "export", "--format", "cef", "--output", str(target), "--json")
    assert code == 0 and json.loads(out)["entries"] == 4
    assert len(target.read_text(encoding="utf-8").splitlines()) == 4
    code, _, err = run(capsys, "ledger", "export", "--format", "cef", "--output", str(target))
    assert code == 1 and "already exists" in err


def test_export_usage_errors(ledger: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "ledger", "export", "--format", "xml")[0] == 1
    code, _, err = run(capsys, "ledger", "export", "--format", "json", "--since", "2026-03-08T07:00:00")
    assert code == 1 and "no UTC offset" in err


SIZES = [2, 5, 9]
COVERING = [
    # (first_seq, last_seq, checkpoint sizes chosen)
    (1, 4, [2, 5]),  # inside, then the one covering the end
    (3, 5, [2, 5]),  # anchor before, and one exactly at the end
    (6, 8, [5, 9]),
    (10, 12, [9]),  # nothing covers the end yet: only the anchor
    (1, 1, [2]),
    (None, None, [9]),  # nothing exported: the newest alone
]


@pytest.mark.parametrize(("first", "last", "sizes"), COVERING)
def test_covering_checkpoints(first: int | None, last: int | None, sizes: list[int]) -> None:
    chosen = covering_checkpoints([checkpoint(s) for s in SIZES], first, last)
    assert [cp.size for cp in chosen] == sizes


def test_no_checkpoints_no_lines() -> None:
    assert covering_checkpoints([], 1, 4) == []


def test_checkpoints_follow_the_entry_they_end_at(tmp_path: Path) -> None:
    _, entries = ledger_with(tmp_path / "l.sqlite", [query(n) for n in range(1, 7)])
    events = list(interleave(entries[2:], [checkpoint(2), checkpoint(4), checkpoint(7)]))
    labels = [f"e{e.seq}" if hasattr(e, "seq") else f"c{e.size}" for e in events]
    assert labels == ["c2", "e3", "e4", "c4", "e5", "e6", "c7"]


def _tamper(settings: Settings) -> None:
    import sqlite3

    with sqlite3.connect(settings.ledger_path) as db:
        db.execute("UPDATE entries SET actor = 'mallory' WHERE seq = 2")
    db.close()


def _is_integrity_line(form: str, line: str) -> bool:
    """Whether `line` is the integrity event that ends a forced export, in `form`."""
    if form == "cef":
        cef = parse_cef(line)
        return cef.signature == "integrity" and cef.extension["outcome"] == "incomplete"
    if form in ("leef", "leef2"):
        leef = parse_leef(line)
        return leef.event_id == "integrity" and leef.attributes["failure"] == "edit"
    doc = json.loads(line)
    body = {
        "json": lambda d: d,
        "splunk-hec": lambda d: d["event"],
        "ecs": lambda d: d.get("phi_workbench", {}).get("integrity", {}),
        "ocsf": lambda d: d["unmapped"]["phi_workbench"].get("integrity", {}),
    }[form](doc)
    return body.get("complete") is False and body.get("failure") == "edit" and body.get("first_bad_seq") == 2


TAMPERED_EXPORT = [
    # (form, force, exit code, lines written)
    *[(form, False, 3, 0) for form in FORMAT_NAMES],  # refused: nothing released
    *[(form, True, 3, 5) for form in FORMAT_NAMES],  # forced: 4 entries and the integrity event
]


@pytest.mark.parametrize(("form", "force", "code", "count"), TAMPERED_EXPORT)
def test_a_tampered_ledger_is_not_exported_silently(
    form: str,
    force: bool,
    code: int,
    count: int,
    ledger: Ledger,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _tamper(settings)
    before = ledger.last()
    argv = ["ledger", "export", "--format", form] + (["--force"] if force else [])
    rc, out, err = run(capsys, *argv)
    assert rc == code and err.count("\n") == 1 and "edit at sequence 2" in err
    lines = out.splitlines()
    assert len(lines) == count
    if force:
        assert _is_integrity_line(form, lines[-1])
        assert not any(_is_integrity_line(form, line) for line in lines[:-1])
    record = ledger.last()
    if not force:  # a refused export writes nothing to the damaged ledger
        assert record == before
        return
    assert record is not None and record.action == "export" and record.outcome == "ok"
    assert (record.detail["complete"], record.detail["kind"], record.detail["first_bad_seq"]) == (
        False,
        "edit",
        2,
    )


OUTPUT_CASES = [
    # (tampered, extra argv, exit code, file written)
    (False, [], 0, True),
    (True, [], 3, False),  # failed: no file (not even an empty one) blocks the retry
    (True, ["--force"], 3, True),
]


@pytest.mark.parametrize(("tampered", "extra", "code", "written"), OUTPUT_CASES)
def test_a_failed_export_leaves_no_file(
    tampered: bool,
    extra: list[str],
    code: int,
    written: bool,
    ledger: Ledger,
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "ledger.json"
    if tampered:
        _tamper(settings)
    rc, _, _ = run(capsys, "ledger", "export", "--format", "json", "--output", str(target), *extra)
    assert rc == code and target.exists() == written
    assert [p.name for p in folder.iterdir()] == (["ledger.json"] if written else [])  # no temp left
    if not written:  # the retry is not blocked by a leftover file
        rc, _, _ = run(capsys, "ledger", "export", "--format", "json", "--output", str(target), "--force")
        lines = target.read_text().splitlines()
        assert rc == 3 and _is_integrity_line("json", lines[-1])
