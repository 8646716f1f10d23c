"""Audit queries: complete range results at DST and UTC boundaries, equal timestamps, clocks that
step back; filters by person, table, column, action, outcome, purpose and break-glass; every read
recorded."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

import pytest

from tests.siem.cli import run
from tests.siem.sample import Clock, ledger_with
from workbench.audit_query import AuditFilter, parse_instant, query_ledger
from workbench.errors import BadInput
from workbench.ledger import Ledger, LedgerEvent
from workbench.settings import Settings


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# seq -> recording instant. US Eastern: DST starts 2026-03-08 07:00 UTC, ends 2026-11-01 06:00 UTC.
MOMENTS = {
    1: "2026-03-08T06:59:59.999999+00:00",  # 01:59:59.999999 EST, the last instant before the gap
    2: "2026-03-08T07:00:00+00:00",  # 03:00 EDT
    3: "2026-03-08T07:00:00+00:00",  # the same instant again (equal timestamps)
    4: "2026-03-08T07:00:00.000001+00:00",
    5: "2026-11-01T05:30:00+00:00",  # 01:30 EDT
    6: "2026-11-01T06:30:00+00:00",  # 01:30 EST: the same wall time, an hour later
    7: "2026-12-31T23:59:59.999999+00:00",
    8: "2027-01-01T00:00:00+00:00",
    9: "2026-11-01T05:45:00+00:00",  # the clock stepped back: recorded after 8, timed before 6
}


@pytest.fixture
def timed(settings: Settings) -> Ledger:
    clock = Clock(*(utc(MOMENTS[seq]) for seq in sorted(MOMENTS)))
    ledger, _ = ledger_with(
        settings.ledger_path,
        [LedgerEvent("ana", "researcher", "research", "query", "ok", {"n": seq}) for seq in MOMENTS],
        clock,
    )
    return ledger


RANGES = [
    # (since, until, seqs)  -- since inclusive, until exclusive
    ("2026-03-08T01:59:59.999999-05:00", "2026-03-08T03:00:00-04:00", [1]),
    ("2026-03-08T03:00:00-04:00", "2026-03-08T07:00:00.000001Z", [2, 3]),
    ("2026-03-08T02:00:00-05:00", "2026-03-08T07:00:00.000001+00:00", [2, 3]),  # same instants, other offsets
    ("2026-03-08T07:00:00.000001Z", "2026-03-09T00:00:00Z", [4]),
    ("2026-03-08T07:00:00Z", "2026-03-08T07:00:00Z", []),  # empty half-open range
    ("2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00", [5, 9]),  # the first 01:00-02:00 (EDT)
    ("2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00", [6]),  # the repeated hour (EST)
    ("2026-12-31T23:59:59.999999+00:00", "2027-01-01T00:00:00Z", [7]),
    ("2026-12-31T18:59:59-05:00", "2027-01-01T00:00:00.000001+00:00", [7, 8]),
    (
        "2026-12-31T19:00:00-05:00",
        "2027-01-01T00:00:00.000001+00:00",
        [8],
    ),  # New Year in New York is 00:00 UTC
    ("2027-01-01T00:00:00Z", None, [8]),
    (None, "2026-03-08T07:00:00Z", [1]),
    ("2026-11-01T05:40:00+00:00", "2026-11-01T06:00:00+00:00", [9]),  # found although recorded last
]


@pytest.mark.parametrize(("since", "until", "seqs"), RANGES)
def test_time_ranges(
    since: str | None, until: str | None, seqs: list[int], timed: Ledger, settings: Settings
) -> None:
    criteria = AuditFilter(
        since=parse_instant(since) if since else None, until=parse_instant(until) if until else None
    )
    answer = query_ledger(settings, criteria)
    assert [entry.seq for entry in answer.entries] == seqs
    assert answer.examined == len(MOMENTS) and answer.coverage.chain_ok
    assert answer.coverage.through_seq == len(MOMENTS)


def test_consecutive_ranges_partition_the_ledger(timed: Ledger, settings: Settings) -> None:
    cuts = [
        None,
        "2026-03-08T07:00:00Z",
        "2026-03-08T03:00:00.000001-04:00",
        "2026-11-01T01:30:00-05:00",
        None,
    ]
    seen: list[int] = []
    for since, until in itertools.pairwise(cuts):
        criteria = AuditFilter(
            since=parse_instant(since) if since else None,
            until=parse_instant(until) if until else None,
            action="query",  # leave out this test's own ledger_read entries
        )
        seen += [entry.seq for entry in query_ledger(settings, criteria).entries]
    assert sorted(seen) == list(MOMENTS)  # nothing missed, nothing twice


BAD_TIMES = ["2026-03-08T02:30:00", "2026-03-08", "yesterday", "", "2026-13-01T00:00:00Z"]


@pytest.mark.parametrize("text", BAD_TIMES)
def test_times_need_an_explicit_offset(text: str) -> None:
    with pytest.raises(BadInput):
        parse_instant(text, "--since")


TIME_TEXTS = [
    # (text, UTC instant or the error message's words)
    ("2026-12-03T00:00:00Z", "2026-12-03T00:00:00+00:00"),
    ("2026-12-03t00:00:00z", "2026-12-03T00:00:00+00:00"),  # RFC 3339 allows lower case
    ("2026-12-03T00:00:00.123456-05:00", "2026-12-03T05:00:00.123456+00:00"),
    ("2026-12-03T00:00:00.5+01:00", "2026-12-02T23:00:00.500000+00:00"),
    ("2026-12-03", "2026-12-03T00:00:00Z or"),  # the hint is a time that parses
    ("2026-12-03T00:00:00.1234567Z", "7 fractional digits"),  # never truncated silently
    ("2026-12-03T00:00:00+05:30:15", "offset with seconds"),
    ("2026-W49-4T00:00:00Z", "ISO week date"),
    ("2026-W49", "ISO week date"),
    ("2026-12-03T00:00:00", "no UTC offset"),
]


@pytest.mark.parametrize(("text", "expected"), TIME_TEXTS)
def test_time_texts(text: str, expected: str) -> None:
    if expected[:4].isdigit() and " " not in expected:
        assert parse_instant(text, "--since").isoformat() == expected
        return
    with pytest.raises(BadInput) as caught:
        parse_instant(text, "--since")
    assert expected in caught.value.message and "\n" not in caught.value.message
    if text == "2026-12-03":  # the suggested spelling is accepted
        assert parse_instant("2026-12-03T00:00:00Z", "--since").isoformat() == "2026-12-03T00:00:00+00:00"


def test_until_before_since_is_refused() -> None:
    with pytest.raises(BadInput, match="before the since"):
        AuditFilter(since=parse_instant("2026-03-08T08:00:00Z"), until=parse_instant("2026-03-08T07:00:00Z"))


@pytest.fixture
def mixed(settings: Settings) -> Ledger:
    columns = [{"column": "patients.SSN", "kinds": ["SSN"], "action": "mask"}]
    events = [
        LedgerEvent("ana", "researcher", "research", "login", "ok", {"role_requested": "researcher"}),
        LedgerEvent(
            "ana", "researcher", "research", "query", "ok", {"tables": ["patients"], "columns": columns}
        ),
        LedgerEvent("bo", "billing", "payment", "query", "denied", {"tables": ["Claims"], "reason": "no"}),
        LedgerEvent("cy", "break_glass", "treatment", "login", "ok", {}),
        LedgerEvent("cy", "break_glass", "treatment", "query", "ok", {"tables": ["patients", "encounters"]}),
        LedgerEvent("os:root", "", "", "load", "ok", {"tables": ["patients"]}),
        LedgerEvent("ana|x", "researcher", "research", "query", "refused", {"reason": "DDL"}),
        LedgerEvent(
            "dee", "researcher", "research", "query", "ok", {"columns": {"encounters.start": "allow"}}
        ),
    ]
    ledger, _ = ledger_with(settings.ledger_path, events)
    return ledger


FILTERS = [
    # (criteria, seqs)
    (AuditFilter(), [1, 2, 3, 4, 5, 6, 7, 8]),
    (AuditFilter(who="ana"), [1, 2]),
    (AuditFilter(who="Ana"), []),  # exact actor match
    (AuditFilter(who="ana|x"), [7]),
    (AuditFilter(table="patients"), [2, 5, 6]),
    (AuditFilter(table="CLAIMS"), [3]),  # table names are case-insensitive
    (AuditFilter(table="encounters"), [5, 8]),  # from detail.tables and from column names
    (AuditFilter(table="nosuch"), []),
    (AuditFilter(column="patients.ssn"), [2]),
    (AuditFilter(column="encounters.START"), [8]),
    (AuditFilter(column="patients.first"), []),
    (AuditFilter(action="login"), [1, 4]),
    (AuditFilter(outcome="denied"), [3]),
    (AuditFilter(outcome="refused"), [7]),
    (AuditFilter(purpose="treatment"), [4, 5]),
    (AuditFilter(break_glass=True), [4, 5]),
    (AuditFilter(break_glass=True, action="query"), [5]),
    (AuditFilter(who="ana", outcome="denied"), []),
    (AuditFilter(table="patients", action="query", outcome="ok"), [2, 5]),
]


@pytest.mark.parametrize(("criteria", "seqs"), FILTERS)
def test_filters(criteria: AuditFilter, seqs: list[int], mixed: Ledger, settings: Settings) -> None:
    assert [entry.seq for entry in query_ledger(settings, criteria).entries] == seqs


BAD_FILTERS = [
    ({"action": "delete"}, "Unknown action"),
    ({"outcome": "maybe"}, "Unknown outcome"),
    ({"column": "ssn"}, "needs its table"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_FILTERS)
def test_bad_filters_are_refused(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(BadInput, match=message):
        AuditFilter(**kwargs)  # type: ignore[arg-type]


def test_every_read_is_recorded_without_entry_contents(mixed: Ledger, settings: Settings) -> None:
    answer = query_ledger(
        settings, AuditFilter(table="patients", since=parse_instant("2026-01-01T00:00:00Z"))
    )
    read = mixed.last()
    assert read is not None and read.seq == answer.read_seq == 9 and read.action == "ledger_read"
    assert read.detail == {
        "criteria": {"since": "2026-01-01T00:00:00.000000+00:00", "table": "patients"},
        "matched": 3,
        "examined": 8,
        "through_seq": 8,
        "complete": True,
    }
    again = query_ledger(settings, AuditFilter(action="ledger_read"))
    assert [entry.seq for entry in again.entries] == [9] and again.read_seq == 10


def test_cli_query_json_and_table(mixed: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ledger", "query", "--table", "patients", "--outcome", "ok", "--json")
    assert code == 0
    answer = json.loads(out)
    assert [e["seq"] for e in answer["entries"]] == [2, 5, 6]
    assert answer["criteria"] == {"table": "patients", "outcome": "ok"}
    assert answer["coverage"]["chain_ok"] is True and answer["coverage"]["through_seq"] == 8
    code, out, _ = run(capsys, "ledger", "query", "--break-glass")
    assert code == 0 and "break_glass" in out and "2 of 9 entries matched" in out
    assert "this read is entry 10" in out


CLI_ERRORS = [
    (["ledger", "query", "--since", "2026-03-08T02:30:00"], "no UTC offset"),
    (["ledger", "query", "--outcome", "maybe"], "invalid choice"),
    (["ledger", "query", "--column", "ssn"], "needs its table"),
]


@pytest.mark.parametrize(("argv", "message"), CLI_ERRORS)
def test_cli_errors_are_one_line(
    argv: list[str], message: str, mixed: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 1 and err.count("\n") == 1 and message in err


def test_a_broken_chain_is_reported_with_the_answer(
    mixed: Ledger, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    with sqlite3.connect(settings.ledger_path) as db:
        db.execute("UPDATE entries SET actor = 'mallory' WHERE seq = 3")
    db.close()
    answer = query_ledger(settings, AuditFilter(who="mallory"))
    assert [e.seq for e in answer.entries] == [3]
    assert not answer.coverage.chain_ok and answer.coverage.first_bad_seq == 3
    code, out, _ = run(capsys, "ledger", "query", "--who", "mallory")
    assert code == 3 and "LEDGER INTEGRITY FAILURE: edit at 3" in out
