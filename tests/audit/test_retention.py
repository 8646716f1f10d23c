"""Retention: `workbench ledger archive --before` writes the oldest entries to a file that verifies
on its own; the live ledger still verifies; tampering with the archive is found."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.siem.cli import run
from tests.siem.sample import Clock, ledger_with
from workbench.audit_query import parse_instant
from workbench.errors import BadInput, LedgerTampered
from workbench.ledger import Ledger, LedgerEvent
from workbench.retention import (
    archive,
    archive_rows,
    remove_archived_prefix,
    verify_archive,
    verify_live_after_archive,
)
from workbench.settings import Settings

DAY = timedelta(days=1)
START = datetime(2020, 3, 8, 6, 0, tzinfo=UTC)


def query(n: int) -> LedgerEvent:
    return LedgerEvent("ana", "researcher", "research", "query", "ok", {"n": n, "tables": ["patients"]})


@pytest.fixture
def yearly(settings: Settings) -> Ledger:
    """Ten entries a day apart from 2020-03-08, the 6th and 7th at the same instant."""
    moments = [START + n * DAY for n in range(10)]
    moments[6] = moments[5]
    return ledger_with(settings.ledger_path, [query(n) for n in range(1, 11)], Clock(*moments))[0]


def test_archive_writes_a_file_that_verifies_alone(
    yearly: Ledger, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "ledger", "archive", "--before", "2020-03-13T01:00:00-05:00", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["first_seq"], report["last_seq"], report["entries"]) == (1, 5, 5)
    path = Path(report["path"])
    assert path.parent == settings.home / "archive"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == report["sha256"]
    assert [row[0] for row in archive_rows(path)] == [1, 2, 3, 4, 5]
    # no witness here: the archive is held together by its chain alone, which is not accepted by default
    code, _, err = run(capsys, "ledger", "archive", "--verify", str(path))
    assert code == 3 and "no signed checkpoint covers entry 5" in err and err.count("\n") == 1
    code, out, err = run(capsys, "ledger", "archive", "--verify", str(path), "--allow-unsigned")
    assert code == 0 and "Archive OK: entries 1..5 (5)" in out and "signer key ids: none" in out
    assert "warning: no signed checkpoint covers entry 5" in err
    record = yearly.last()
    assert record is not None and record.action == "archive"
    assert record.detail["file_sha256"] == report["sha256"] and record.detail["last_hash"] == path_last_hash(
        path
    )
    assert yearly.verify().ok  # the live ledger still verifies


def path_last_hash(path: Path) -> str:
    return json.loads(path.read_text().split("\n")[0])["last_hash"]


BOUNDARIES = [
    # (before, last archived seq)  -- before is exclusive
    ("2020-03-13T06:00:00Z", 5),  # entry 6 is exactly at the boundary: kept
    ("2020-03-13T06:00:00.000001Z", 7),  # entries 6 and 7 share a timestamp: both go
    ("2020-03-13T02:00:00.000001-04:00", 7),  # the same instant in another offset
    ("2020-03-08T06:00:00Z", None),  # nothing before the first entry
    ("2031-01-01T00:00:00Z", 10),
]


@pytest.mark.parametrize(("before", "last"), BOUNDARIES)
def test_boundaries(before: str, last: int | None, yearly: Ledger, settings: Settings) -> None:
    report = archive(settings, parse_instant(before))
    assert report.last_seq == last
    if report.path is not None:
        assert verify_archive(report.path).ok


def test_the_prefix_follows_seq_not_the_clock(settings: Settings) -> None:
    moments = [START, START + DAY, START - DAY, START + 2 * DAY]  # the third stepped back
    ledger_with(settings.ledger_path, [query(n) for n in range(1, 5)], Clock(*moments))
    report = archive(settings, START + DAY)
    assert (report.first_seq, report.last_seq) == (1, 1)  # stops at entry 2; entry 3 stays live


def test_archives_are_never_overwritten(yearly: Ledger, settings: Settings, tmp_path: Path) -> None:
    target = tmp_path / "a.jsonl"
    assert archive(settings, START + 2 * DAY, target).last_seq == 2
    assert archive(settings, START + 2 * DAY).path is None  # the next segment starts at entry 3
    with pytest.raises(BadInput, match="never overwritten"):
        archive(settings, START + 5 * DAY, target)


def _rewrite(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(change(lines)), encoding="utf-8")


def _edit_row(index: int, column: int, value: object):  # type: ignore[no-untyped-def]
    def change(lines: list[str]) -> list[str]:
        item = json.loads(lines[index])
        item["row"][column] = value
        lines[index] = json.dumps(item)
        return lines

    return change


TAMPERING = [
    # (change to the archive file, problem)
    (_edit_row(3, 2, "mallory"), "does not match its hash"),  # actor of entry 3
    (_edit_row(2, 7, '{"n":2,"tables":["claims"]}'), "does not match its hash"),  # detail
    (lambda lines: lines[:3] + lines[4:], "missing or out-of-order"),  # an entry deleted
    (lambda lines: [lines[0], lines[2], lines[1], *lines[3:]], "missing or out-of-order"),  # swapped
    (lambda lines: lines[:5] + lines[6:], "ends at entry 4"),  # the last entry dropped
    (lambda lines: [lines[0].replace('"entries": 5', '"entries": 4'), *lines[1:]], "entry count"),
    (lambda lines: ["{}", *lines[1:]], "not a ledger archive"),
]


@pytest.mark.parametrize(("change", "problem"), TAMPERING)
def test_tampering_with_an_archive_is_found(
    change, problem: str, yearly: Ledger, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    report = archive(settings, START + 5 * DAY)
    assert report.path is not None and verify_archive(report.path).ok
    _rewrite(report.path, change)
    check = verify_archive(report.path)
    assert not check.ok and problem in (check.problem or "")
    code, _, err = run(capsys, "ledger", "archive", "--verify", str(report.path))
    assert code == 3 and err.count("\n") == 1


def test_moving_the_prefix_out_keeps_both_parts_verifiable(yearly: Ledger, settings: Settings) -> None:
    """What `archive` does once the ledger verifier accepts an archived prefix (see docs/siem.md)."""
    report = archive(settings, START + 5 * DAY)
    assert report.path is not None and report.last_seq == 5 and not report.removed_from_live
    last_hash = path_last_hash(report.path)
    remove_archived_prefix(yearly.path, 5, last_hash)
    assert next(entry.seq for entry in yearly.entries()) == 6
    assert verify_live_after_archive(yearly.path) == (True, 6, None)  # entries 6..10 and the archive record
    assert verify_archive(report.path).ok  # the archive still verifies on its own
    # archive + live rebuild the original chain, which the ledger's own verifier accepts
    rebuilt = Ledger(settings.home / "rebuilt.sqlite")
    with sqlite3.connect(yearly.path) as live, sqlite3.connect(rebuilt.path) as db:
        rows = archive_rows(report.path) + [
            tuple(row) for row in live.execute("SELECT * FROM entries ORDER BY seq")
        ]
        db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    live.close()
    db.close()
    assert rebuilt.verify().ok and rebuilt.verify().entries == 11
    with sqlite3.connect(yearly.path) as db:  # tampering after the move is still found
        db.execute("UPDATE entries SET actor = 'mallory' WHERE seq = 6")
    db.close()
    assert verify_live_after_archive(yearly.path) == (False, 0, 6)


def test_pruning_refuses_a_changed_boundary(yearly: Ledger) -> None:
    with pytest.raises(LedgerTampered):
        remove_archived_prefix(yearly.path, 5, "0" * 64)
    assert len(list(yearly.entries())) == 10


def test_archive_waits_for_shippers(yearly: Ledger, settings: Settings) -> None:
    spool = settings.home / "spool" / "syslog-abc"
    spool.mkdir(parents=True)
    (spool / "cursor.json").write_text('{"next_seq": 3, "checkpoint_size": 0, "next_batch": 1}')
    with pytest.raises(BadInput, match="has not read through entry 5"):
        archive(settings, START + 5 * DAY)
    (spool / "cursor.json").write_text('{"next_seq": 11, "checkpoint_size": 0, "next_batch": 3}')
    assert archive(settings, START + 5 * DAY).last_seq == 5


def test_a_tampered_live_ledger_is_not_archived(yearly: Ledger, settings: Settings) -> None:
    with sqlite3.connect(yearly.path) as db:
        db.execute("UPDATE entries SET actor = 'mallory' WHERE seq = 2")
    db.close()
    with pytest.raises(LedgerTampered):
        archive(settings, START + 5 * DAY)
    assert not (settings.home / "archive").exists()


ARCHIVE_USAGE = [
    (["ledger", "archive"], "needs --before"),
    (["ledger", "archive", "--before", "2020-01-01"], "no UTC offset"),
    (["ledger", "archive", "--verify", "x.jsonl", "--before", "2020-01-01T00:00:00Z"], "takes no --before"),
]


@pytest.mark.parametrize(("argv", "message"), ARCHIVE_USAGE)
def test_archive_usage_errors(
    argv: list[str], message: str, yearly: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 1 and message in err
