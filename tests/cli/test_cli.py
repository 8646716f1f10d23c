"""The command-line contract, driven through `main([...])` on real workspaces."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import REPO, synthea_dir
from workbench.cli.main import main
from workbench.settings import Settings


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


EXIT_CODES = [
    # (argv, expected exit code) on a loaded workspace with no session
    (["whoami"], 2),
    (["query", "SELECT 1"], 2),
    (["login", "--user", "ana", "--role", "wizard"], 2),
    (["login", "--user", "ana", "--role", "researcher", "--purpose", "treatment"], 2),
    (["login", "--user", "ana", "--role", "researcher", "--purpose", "fun"], 1),
    (["login", "--user", "an\x1ba", "--role", "researcher"], 1),
    (["login", "--user", "ana\n", "--role", "researcher"], 1),
    (["login", "--role", "researcher"], 1),
    (["columns", "no_such_table"], 1),
    (["load", "synthea", "/nonexistent/folder"], 1),
    (["frobnicate"], 1),
    (["ledger", "verify"], 0),
    (["columns", "patients"], 0),
]


@pytest.mark.parametrize(("argv", "expected"), EXIT_CODES)
def test_exit_codes(
    argv: list[str], expected: int, loaded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == expected
    if code:
        assert err.count("\n") == 1 and err.startswith("workbench: ")


SESSION_EXIT_CODES = [
    (["query", "SELECT FROM WHERE"], 1),
    (["query", "SELECT * FROM no_such_table"], 1),
    (["query", "COPY patients TO 'x.csv'"], 2),
    (["query", "SELECT 1; SELECT 2"], 2),
    (["query", "SELECT CAST(FIRST AS INTEGER) FROM patients"], 1),
    (["query", "SELECT count(*) FROM patients"], 0),
    (["query", "--purpose", "treatment", "SELECT 1"], 2),
    (["whoami"], 0),
]


@pytest.mark.parametrize(("argv", "expected"), SESSION_EXIT_CODES)
def test_exit_codes_in_a_session(
    argv: list[str], expected: int, loaded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "login", "--user", "ana", "--role", "researcher")[0] == 0
    code, _, err = run(capsys, *argv)
    assert code == expected
    if code:
        assert err.count("\n") == 1


def test_engine_errors_do_not_echo_values(loaded: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "login", "--user", "bo", "--role", "billing")
    code, _, err = run(capsys, "query", "SELECT CAST(LAST AS INTEGER) FROM patients")
    assert code == 1
    with (synthea_dir() / "patients.csv").open(newline="") as src:
        names = {row["LAST"] for row in csv.DictReader(src)}
    assert not [n for n in names if n in err]


USER_NAMES = ["ana", "a|b", "back\\slash", "x=y", "Zoë Ångström", "CEF:0|forged|", "  spaced  "]


@pytest.mark.parametrize("user", USER_NAMES)
def test_printable_user_names_round_trip(
    user: str, loaded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "login", "--user", user, "--role", "billing")[0] == 0
    code, out, _ = run(capsys, "whoami", "--json")
    assert code == 0 and json.loads(out)["user"] == user
    assert run(capsys, "ledger", "verify")[0] == 0


def test_researcher_sees_no_names_birth_years_and_zip3(
    loaded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "login", "--user", "ana", "--role", "researcher")
    code, out, _ = run(capsys, "query", "--json", "SELECT FIRST, LAST, BIRTHDATE, ZIP FROM patients")
    assert code == 0
    result = json.loads(out)
    assert result["columns"] == ["FIRST", "LAST", "BIRTHDATE", "ZIP"]
    assert len(result["rows"]) == 27
    for first, last, birth, zip3 in result["rows"]:
        assert (first, last) == ("[NAME]", "[NAME]")
        assert birth == "90+" or re.fullmatch(r"(19|20)\d\d", birth)
        assert zip3 is None or re.fullmatch(r"\d{3}", zip3)


def test_privacy_analyst_gets_the_policy_choice(loaded: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "login", "--user", "pia", "--role", "privacy_analyst")
    code, out, _ = run(capsys, "query", "--json", "SELECT FIRST, LAST, BIRTHDATE, ZIP FROM patients")
    assert code == 0
    rows = json.loads(out)["rows"]
    for first, last, birth, zip3 in rows:
        assert re.fullmatch(r"h_[0-9a-f]{16}", first) and re.fullmatch(r"h_[0-9a-f]{16}", last)
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", birth)  # dates allowed for the privacy office
        assert zip3 is None or re.fullmatch(r"\d{3}", zip3)
    assert len({r[0] for r in rows}) > 20  # hashes keep names apart (joins still work)


def test_both_queries_are_in_the_ledger(loaded: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "SELECT FIRST, LAST, BIRTHDATE, ZIP FROM patients WHERE SSN <> '999-17-5017'"
    for user, role in (("ana", "researcher"), ("pia", "privacy_analyst")):
        run(capsys, "login", "--user", user, "--role", role)
        assert run(capsys, "query", sql)[0] == 0
    with sqlite3.connect(loaded.ledger_path) as db:
        rows = db.execute(
            "SELECT actor, role, purpose, detail FROM entries WHERE action = 'query'"
        ).fetchall()
        everything = "\n".join(str(r) for r in db.execute("SELECT * FROM entries"))
    assert [(a, r, p) for a, r, p, _ in rows] == [
        ("ana", "researcher", "research"),
        ("pia", "privacy_analyst", "audit"),
    ]
    detail = json.loads(rows[0][3])
    assert {c["column"]: c["action"] for c in detail["columns"]}["patients.FIRST"] == "mask"
    assert "999-17-5017" not in everything  # literals are placeholders in the ledger
    assert "?" in detail["sql_shape"] and len(detail["sql_hmac"]) == 34


def test_columns_json_contract(loaded: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "columns", "patients", "--json")
    assert code == 0
    tags = json.loads(out)
    assert all(set(t) == {"table", "column", "kinds", "confidence", "evidence"} for t in tags)
    kinds = {t["column"]: t["kinds"] for t in tags}
    assert kinds["SSN"] == ["SSN"] and kinds["GENDER"] == []


def test_ledger_verify_json(loaded: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ledger", "verify", "--json")
    assert code == 0
    assert json.loads(out) == {"ok": True, "entries": 1, "first_bad_seq": None, "kind": None}


def _tampered_verify(
    settings: Settings, capsys: pytest.CaptureFixture[str], statement: str
) -> dict[str, object]:
    with sqlite3.connect(settings.ledger_path) as db:
        db.execute(statement)
    code, out, err = run(capsys, "ledger", "verify", "--json")
    assert code == 3 and "sequence" in err
    return dict(json.loads(out))


TAMPERING = [
    ("UPDATE entries SET actor = 'mallory' WHERE seq = 3", 3),
    ("UPDATE entries SET ts = '2020-01-01T00:00:00.000000+00:00' WHERE seq = 4", 4),
    ("UPDATE entries SET outcome = 'refused' WHERE seq = 2", 2),
    ("UPDATE entries SET detail = '{}' WHERE seq = 5", 5),
    ("UPDATE entries SET role = 'break_glass' WHERE seq = 3", 3),
    ("DELETE FROM entries WHERE seq = 4", 4),
]


@pytest.mark.parametrize(("statement", "first_bad"), TAMPERING)
def test_tampering_is_named(
    statement: str, first_bad: int, loaded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "login", "--user", "ana", "--role", "researcher")
    for _ in range(4):
        run(capsys, "query", "SELECT count(*) FROM encounters")
    report = _tampered_verify(loaded, capsys, statement)
    assert report["ok"] is False and report["first_bad_seq"] == first_bad


def test_reordering_rows_is_named(loaded: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "login", "--user", "ana", "--role", "researcher")
    for _ in range(4):
        run(capsys, "query", "SELECT count(*) FROM encounters")
    with sqlite3.connect(loaded.ledger_path) as db:
        db.execute("UPDATE entries SET seq = 1000003 WHERE seq = 3")
        db.execute("UPDATE entries SET seq = 3 WHERE seq = 4")
        db.execute("UPDATE entries SET seq = 4 WHERE seq = 1000003")
    code, out, _ = run(capsys, "ledger", "verify", "--json")
    assert code == 3 and json.loads(out)["first_bad_seq"] == 3


def test_entry_point_runs_as_a_process(tmp_path: object) -> None:
    home = str(tmp_path) + "/fresh-home"
    proc = subprocess.run(
        [sys.executable, "-m", "workbench.cli.main", "whoami", "--json"],
        capture_output=True,
        text=True,
        env={"WORKBENCH_HOME": home, "PATH": "/usr/bin:/bin"},
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert Settings.load(home=home).home.is_dir()  # created on first use


VALUES_AS_IDENTIFIERS = [
    "SELECT CAST('x' || chr(10) || 'Did you mean ' || FIRST || ' ' || ADDRESS AS INT) FROM patients LIMIT 1",
    "SELECT CAST(chr(10) || 'Candidate bindings: ' || LAST AS DATE) FROM patients LIMIT 1",
    "SELECT CAST(FIRST || '''' || chr(10) || 'Did you mean ' || LAST AS INT) FROM patients LIMIT 1",
    "SELECT FIRST FROM patients WHERE LAST = $$Mosciski958$$ OR SSN = N'999-17-5017' OR FIRST = e'Maynard46'",
    "SELECT * FROM Mosciski958",
    'SELECT count(*) FROM patients WHERE SSN = "999-17-5017"',
    'SELECT FIRST AS "Mosciski958 999-17-5017" FROM patients',
    'SELECT "Maynard46" FROM patients',
    "SELECT Maynard46(FIRST) FROM patients",
]


@pytest.mark.parametrize("sql", VALUES_AS_IDENTIFIERS)
def test_values_typed_as_identifiers_stay_out_of_errors_and_ledger(
    sql: str, loaded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "login", "--user", "bo", "--role", "billing")
    _, _, err = run(capsys, "query", sql)
    with sqlite3.connect(loaded.ledger_path) as db:
        ledger_text = "\n".join(str(r) for r in db.execute("SELECT * FROM entries"))
    for value in ("999-17-5017", "Maynard46", "Mosciski958"):
        assert value not in err and value not in ledger_text


def test_a_refused_login_ends_the_previous_session(
    loaded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "login", "--user", "bob", "--role", "billing")[0] == 0
    assert run(capsys, "login", "--user", "ana", "--role", "janitor")[0] == 2
    assert run(capsys, "whoami")[0] == 2
    with sqlite3.connect(loaded.ledger_path) as db:
        detail = json.loads(db.execute("SELECT detail FROM entries ORDER BY seq DESC LIMIT 1").fetchone()[0])
    assert detail["user_attempted"] == "ana" and detail["ended_session"] is True


def test_json_errors_are_json_too(loaded: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "query", "--json", "SELECT 1")
    assert code == 2 and err.count("\n") == 1
    assert json.loads(out) == {
        "error": err.removeprefix("workbench: ").strip(),
        "kind": "NoSession",
        "exit_code": 2,
    }
