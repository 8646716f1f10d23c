"""A bad line in an imported file fails the whole import: nothing is loaded, one line names the line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.lineage.sources import run_event
from workbench.cli.main import main
from workbench.ledger import Ledger
from workbench.lineage.build import lineage_folder
from workbench.lineage.graph import LineageGraph
from workbench.lineage.readers import logged_reads
from workbench.settings import Settings

SECRET = "999-12-3456"


def _event(job: str) -> str:
    return json.dumps(
        run_event(job, [{"namespace": "pg", "name": f"out_{job}"}], [{"namespace": "pg", "name": "patients"}])
    )


def _lineage(event: dict[str, Any]) -> dict[str, Any]:
    return event["outputs"][0]["facets"]["columnLineage"]  # type: ignore[no-any-return]


def _shaped(change: Callable[[dict[str, Any]], object]) -> str:
    event = run_event(
        "b",
        [
            {
                "namespace": "pg",
                "name": "out_b",
                "facets": {
                    "columnLineage": {
                        "fields": {
                            "x": {"inputFields": [{"namespace": "pg", "name": "patients", "field": "ssn"}]}
                        }
                    }
                },
            }
        ],
        [{"namespace": "pg", "name": "patients"}],
    )
    change(event)
    return json.dumps(event)


# (lines of the events file, the line the error names) -- the bad line holds a value: never echoed
BAD_EVENTS = [
    ([_event("a"), f'{{"job": "{SECRET}"', _event("b")], 2),
    ([_event("a"), _event("b"), f"not json {SECRET}"], 3),
    ([_event("a"), f'["{SECRET}"]', _event("b")], 2),  # JSON, but not an event object
    ([f"{SECRET}", _event("a")], 1),
    # well-formed JSON of the wrong shape
    ([_event("a"), _shaped(lambda e: e.pop("job"))], 2),
    ([_event("a"), _shaped(lambda e: e.update(outputs="out"))], 2),
    ([_event("a"), _shaped(lambda e: e["outputs"][0].update(name=None))], 2),
    ([_event("a"), _shaped(lambda e: e["outputs"][0].update(name=12345))], 2),
    ([_event("a"), _shaped(lambda e: _lineage(e).update(fields=[SECRET]))], 2),
    ([_event("a"), _shaped(lambda e: _lineage(e)["fields"]["x"].update(inputFields=SECRET))], 2),
    ([_event("a"), _shaped(lambda e: _lineage(e)["fields"]["x"]["inputFields"][0].pop("namespace"))], 2),
    ([_event("a"), _shaped(lambda e: e.update(eventType=SECRET))], 2),
]


# (event types of one run, in order, -> whether its lineage is imported)
RUN_STATES = [
    (["COMPLETE"], True),
    (["START", "RUNNING", "COMPLETE"], True),
    ([None], True),  # no eventType: static lineage
    (["START"], False),  # never completed in this file
    (["START", "FAIL"], False),
    (["ABORT"], False),
    (["FAIL"], False),
]


@pytest.mark.parametrize(("states", "imported"), RUN_STATES)
def test_only_completed_runs_give_lineage(
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    states: list[str | None],
    imported: bool,
) -> None:
    lines = []
    for state in states:
        event = json.loads(_event("a"))
        if state is None:
            event.pop("eventType", None)
        else:
            event["eventType"] = state
        lines.append(json.dumps(event))
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines) + "\n")
    assert main(["lineage", "import-openlineage", str(events)]) == 0
    assert (LineageGraph.load(lineage_folder(settings)).edge_count() > 0) is imported


@pytest.mark.parametrize(("lines", "bad"), BAD_EVENTS)
def test_a_bad_openlineage_line_loads_nothing(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str], bad: int
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines) + "\n")
    assert main(["lineage", "import-openlineage", str(events)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"line {bad} " in err.lower() and SECRET not in err
    assert "nothing was imported" in err.lower()
    assert LineageGraph.load(lineage_folder(settings)).edge_count() == 0
    [entry] = [e for e in Ledger(settings.ledger_path).entries() if e.action == "lineage"]
    assert entry.outcome == "error" and SECRET not in json.dumps(entry.detail)


def test_good_openlineage_lines_load(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(_event("a") + "\n\n" + _event("b") + "\n")  # blank lines are fine
    assert main(["lineage", "import-openlineage", str(events)]) == 0
    assert LineageGraph.load(lineage_folder(settings)).edge_count() == 2


def _pg_json(user: str, message: str) -> str:
    return json.dumps(
        {
            "timestamp": "2024-05-01 10:00:00.000 UTC",
            "user": user,
            "pid": 7,
            "error_severity": "LOG",
            "message": message,
        }
    )


GOOD_WRITE = "statement: CREATE TABLE t AS SELECT ssn FROM patients"
GOOD_SQL = GOOD_WRITE.removeprefix("statement: ")


def _duck(message: object, timestamp: object = "2024-05-01 10:00:00", user: object = "bo") -> str:
    return json.dumps({"type": "QueryLog", "timestamp": timestamp, "message": message, "user": user})


def _pg_text(message: str, time: str = "2024-05-01 10:00:00.100 UTC") -> str:
    return f"{time} [101] bo@hospital LOG:  {message}"


GOOD_READ = "statement: SELECT ssn FROM patients"

# (format, log text, the line the error names)
BAD_LOGS = [
    ("postgres", "\n".join([_pg_json("bo", GOOD_WRITE), f'{{"user": "{SECRET}"', _pg_json("bo", GOOD_READ)]), 2),
    ("postgres", "\n".join([_pg_json("bo", GOOD_WRITE), _pg_json("bo", GOOD_READ), f"[{SECRET!r}]"]), 3),
    ("duckdb", "\n".join([_duck("CREATE TABLE t AS SELECT ssn FROM patients"), f"garbage {SECRET}"]), 2),
    # an unterminated array: the line where the JSON breaks off (the end of the file)
    ("duckdb", f'[{_duck("SELECT 1")}, "{SECRET}"', 2),
    # well-formed JSON of the wrong shape: no statement, a statement or a time that is not text,
    # a time that cannot be read, a user that is not text
    ("duckdb", "\n".join([_duck(GOOD_SQL), json.dumps({"type": "QueryLog", "timestamp": "2024-05-01"})]), 2),
    ("duckdb", "\n".join([_duck(GOOD_SQL), _duck(12345)]), 2),
    ("duckdb", "\n".join([_duck(GOOD_SQL), json.dumps({"type": "QueryLog", "message": GOOD_SQL})]), 2),
    ("duckdb", "\n".join([_duck(GOOD_SQL), _duck(GOOD_SQL, timestamp=SECRET)]), 2),
    ("duckdb", "\n".join([_duck(GOOD_SQL), _duck(GOOD_SQL, timestamp="2024-13-45 99:99:99")]), 2),
    ("duckdb", "\n".join([_duck(GOOD_SQL), _duck(GOOD_SQL, timestamp=1714557600)]), 2),
    ("duckdb", "\n".join([_duck(GOOD_SQL), _duck(GOOD_SQL).replace('"2024-05-01 10:00:00"', "NaN")]), 2),
    ("duckdb", "\n".join([_duck(GOOD_SQL), _duck(GOOD_SQL, user={"n": 1})]), 2),
    # a first line that is neither JSON nor a CSV header is line 1, not 2
    ("duckdb", "\n".join([f"not json {SECRET}", _duck(GOOD_SQL)]), 1),
    # Postgres stderr: a line that is neither an entry nor a tab-indented continuation; a bad time
    ("postgres", "\n".join([_pg_text(GOOD_WRITE), f"GARBAGE {SECRET}", _pg_text(GOOD_READ)]), 2),
    ("postgres", "\n".join([_pg_text(GOOD_WRITE), _pg_text(GOOD_READ, "2024-13-45 99:99:99")]), 2),
    # a csvlog row with too few fields
    ("postgres", "\n".join([
        '2024-05-01 10:00:00.000 UTC,"bo","hospital",7,"[local]",x,1,"idle",2024-05-01 10:00:00 UTC,1/1,0,LOG,00000,'
        '"statement: CREATE TABLE t AS SELECT ssn FROM patients",,,,,,,,,"psql","client backend",,0',
        f'2024-05-01 10:00:01.000 UTC,"bo",{SECRET}',
    ]), 2),
]  # fmt: skip


@pytest.mark.parametrize(("fmt", "text", "bad"), BAD_LOGS)
def test_a_bad_query_log_line_loads_nothing(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, text: str, bad: int
) -> None:
    log = tmp_path / "queries.log"
    log.write_text(text + "\n")
    assert main(["lineage", "import-history", str(log), "--format", fmt]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"line {bad} " in err.lower() and SECRET not in err
    assert "nothing was imported" in err.lower()
    assert LineageGraph.load(lineage_folder(settings)).edge_count() == 0
    assert logged_reads(settings) == []
    assert not (lineage_folder(settings) / "history").exists()


def test_a_good_postgres_json_log_loads(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "queries.json"
    log.write_text(_pg_json("bo", GOOD_WRITE) + "\n" + _pg_json("ana", GOOD_READ) + "\n")
    assert main(["lineage", "import-history", str(log), "--format", "postgres"]) == 0, capsys.readouterr().err
    assert LineageGraph.load(lineage_folder(settings)).edge_count() == 1
    assert {r.principal for r in logged_reads(settings)} == {"bo", "ana"}
