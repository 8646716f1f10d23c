"""A bad line in an imported file fails the whole import: nothing is loaded, one line names the line."""

from __future__ import annotations

import json
from pathlib import Path

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


# (lines of the events file, the line the error names) -- the bad line holds a value: never echoed
BAD_EVENTS = [
    ([_event("a"), f'{{"job": "{SECRET}"', _event("b")], 2),
    ([_event("a"), _event("b"), f"not json {SECRET}"], 3),
    ([_event("a"), f'["{SECRET}"]', _event("b")], 2),  # JSON, but not an event object
    ([f"{SECRET}", _event("a")], 1),
]


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
GOOD_READ = "statement: SELECT ssn FROM patients"

# (format, log text, the line the error names)
BAD_LOGS = [
    ("postgres", "\n".join([_pg_json("bo", GOOD_WRITE), f'{{"user": "{SECRET}"', _pg_json("bo", GOOD_READ)]), 2),
    ("postgres", "\n".join([_pg_json("bo", GOOD_WRITE), _pg_json("bo", GOOD_READ), f"[{SECRET!r}]"]), 3),
    ("duckdb", "\n".join([json.dumps({"type": "QueryLog", "message": "CREATE TABLE t AS SELECT ssn FROM patients"}),
                          f"garbage {SECRET}"]), 2),
    # an unterminated array: the line where the JSON breaks off (the end of the file)
    ("duckdb", f'[{json.dumps({"type": "QueryLog", "message": "SELECT 1"})}, "{SECRET}"', 2),
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
