"""Breach impact end to end: the synthetic hospital, its SQL pipelines, governed queries, the ledger."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.conftest import HOSPITAL, REPO
from workbench.cli.main import main
from workbench.errors import AccessDenied
from workbench.ledger import Ledger
from workbench.lineage.impact import ImpactReport, impact
from workbench.settings import Settings

PIPELINES = REPO / "data" / "synthetic" / "pipelines"

SSN_DOWNSTREAM = {
    # column: (hops, types along the path)
    "staging.stg_patients.ssn": (1, ["DIRECT:IDENTITY"]),
    "marts.patient_conditions.ssn": (2, ["DIRECT:IDENTITY", "DIRECT:IDENTITY"]),
    "marts.v_patient_contact.ssn": (2, ["DIRECT:IDENTITY", "DIRECT:IDENTITY"]),
    "export.ba_acme_billing.acme_member_key": (2, ["DIRECT:IDENTITY", "DIRECT:TRANSFORMATION"]),
    "research.ckd_cohort.research_id": (3, ["DIRECT:IDENTITY", "DIRECT:IDENTITY", "DIRECT:TRANSFORMATION"]),
    "file:exports/acme_billing.csv.acme_member_key": (
        3,
        ["DIRECT:IDENTITY", "DIRECT:TRANSFORMATION", "DIRECT:IDENTITY"],
    ),
    # the export file is sorted by the member key: its rows are shaped by the SSN (not followed on)
    "file:exports/acme_billing.csv.*": (3, ["DIRECT:IDENTITY", "DIRECT:TRANSFORMATION", "INDIRECT:SORT"]),
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ssn_values() -> set[str]:
    with (HOSPITAL / "patients.csv").open(newline="") as source:
        return {row["SSN"] for row in csv.DictReader(source) if row["SSN"]}


def governed_reads(capsys: pytest.CaptureFixture[str]) -> None:
    """bo (billing) reads SSNs twice; ana (researcher) once, masked; cy reads no SSN at all."""
    for argv in (
        ("login", "--user", "bo", "--role", "billing"),
        ("query", "SELECT FIRST, SSN FROM patients LIMIT 3"),
        ("query", "SELECT upper(SSN) AS s FROM patients WHERE LAST LIKE 'A%'"),
        ("login", "--user", "ana", "--role", "researcher"),
        ("query", "SELECT SSN FROM patients"),
        ("login", "--user", "cy", "--role", "billing"),
        ("query", "SELECT count(*) FROM encounters"),
        ("logout",),
    ):
        assert run(capsys, *argv)[0] == 0, argv


def test_breach_impact_of_the_patients_ssn(hospital: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    governed_reads(capsys)
    code, out, _ = run(capsys, "lineage", "build", str(PIPELINES))
    assert code == 0 and "9 files" in out
    assert run(capsys, "login", "--user", "pia", "--role", "privacy_analyst")[0] == 0

    code, out, _ = run(capsys, "impact", "patients.SSN", "--json")
    assert code == 0
    report = json.loads(out)
    assert set(report) == {"target", "downstream", "readers", "recipients", "kinds", "individuals", "window"}
    downstream = {d["column"]: (d["hops"], d["types"]) for d in report["downstream"]}
    assert downstream == SSN_DOWNSTREAM
    [acme] = [d for d in report["downstream"] if d["column"] == "export.ba_acme_billing.acme_member_key"]
    assert acme["path"] == [
        "patients.ssn",
        "staging.stg_patients.ssn",
        "export.ba_acme_billing.acme_member_key",
    ]

    readers = {(r["principal"], r["role"], r["purpose"]): r["count"] for r in report["readers"]}
    assert readers == {("bo", "billing", "payment"): 2, ("ana", "researcher", "research"): 1}
    assert all(r["first"] <= r["last"] for r in report["readers"])

    recipients = {r["name"]: r for r in report["recipients"]}
    assert set(recipients) == {"export.ba_acme_billing", "exports/acme_billing.csv"}
    assert recipients["export.ba_acme_billing"]["columns"] == ["export.ba_acme_billing.acme_member_key"]
    assert "external schema 'export'" in recipients["export.ba_acme_billing"]["via"]
    assert recipients["exports/acme_billing.csv"]["via"].startswith("COPY TO (09_export_acme_billing.sql:")

    assert report["kinds"] == ["OTHER_ID", "SSN"]  # the research id is a hash of the SSN
    assert report["individuals"] == len(ssn_values())

    entries = list(Ledger(hospital.ledger_path).entries())
    [lineage] = [e for e in entries if e.action == "lineage"]
    assert lineage.outcome == "ok" and lineage.detail["edges"] == 251 and lineage.detail["errors"] == []
    [recorded] = [e for e in entries if e.action == "impact"]
    assert (recorded.actor, recorded.outcome) == ("pia", "ok")
    assert recorded.detail["downstream"] == 7 and recorded.detail["individuals"] == report["individuals"]
    text = json.dumps([e.detail for e in entries])
    assert not any(value in text for value in ssn_values())


def test_the_python_api_and_the_cli_agree(hospital: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    governed_reads(capsys)
    run(capsys, "lineage", "build", str(PIPELINES))
    run(capsys, "login", "--user", "pia", "--role", "break_glass", "--purpose", "breach_investigation")
    report = impact(hospital, "main.patients.ssn")
    assert isinstance(report, ImpactReport)
    _, out, _ = run(capsys, "impact", "main.patients.ssn", "--json")
    assert json.loads(out) == report.to_json()
    code, out, _ = run(capsys, "impact", "patients.SSN")
    assert code == 0 and out.startswith("Impact of patients.ssn: 7 downstream columns, 2 readers")


# (since, until, readers expected) -- the window is on the ledger entry's UTC time
WINDOWS = [
    (None, None, 2),
    ("2000-01-01T00:00:00+00:00", None, 2),
    ("2999-01-01T00:00:00+00:00", None, 0),
    (None, "2000-01-01", 0),
    ("2000-01-01T00:00:00-05:00", "2999-01-01T00:00:00+09:00", 2),
]


@pytest.mark.parametrize(("since", "until", "count"), WINDOWS)
def test_readers_in_a_time_window(
    hospital: Settings, capsys: pytest.CaptureFixture[str], since: str | None, until: str | None, count: int
) -> None:
    governed_reads(capsys)
    run(capsys, "lineage", "build", str(PIPELINES))
    run(capsys, "login", "--user", "pia", "--role", "privacy_analyst")
    argv = ["impact", "patients.SSN", "--json"]
    argv += ["--since", since] if since else []
    argv += ["--until", until] if until else []
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert len(json.loads(out)["readers"]) == count


# (who is logged in, target, exit code) -- refused rows first, then bad targets
REFUSALS = [
    (None, "patients.SSN", 2),
    (("ana", "researcher"), "patients.SSN", 2),
    (("bo", "billing"), "patients.SSN", 2),
    (("pia", "privacy_analyst"), "no_such_table.x", 1),
    (("pia", "privacy_analyst"), "patients.no_such_column", 1),
    (("pia", "privacy_analyst"), "", 1),
    (("pia", "privacy_analyst"), "patients.SSN --since yesterday", 0),
]


@pytest.mark.parametrize(("who", "target", "code"), REFUSALS)
def test_who_may_ask_and_what(
    hospital: Settings,
    capsys: pytest.CaptureFixture[str],
    who: tuple[str, str] | None,
    target: str,
    code: int,
) -> None:
    run(capsys, "lineage", "build", str(PIPELINES))
    if who:
        run(capsys, "login", "--user", who[0], "--role", who[1])
    argv = ["impact", *target.split(" ", 1)[:1]]
    if "--since" in target:
        argv += ["--since", "2024-01-01"]
    got, _, err = run(capsys, *argv)
    assert got == code
    if code:
        assert err.startswith("workbench: ") and err.count("\n") == 1
    if code == 2 and who:
        [entry] = [e for e in Ledger(hospital.ledger_path).entries() if e.action == "impact"]
        assert entry.outcome == "denied" and entry.actor == who[0]


def test_a_flag_leads_back_to_the_diagnosis_code(
    hospital: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """`has_ckd` is 1 when a condition code matches, else 0: it carries no code, yet reveals it."""
    run(capsys, "lineage", "build", str(PIPELINES))
    run(capsys, "login", "--user", "pia", "--role", "privacy_analyst")
    _, out, _ = run(capsys, "impact", "conditions.CODE", "--json")
    downstream = {d["column"]: d["types"] for d in json.loads(out)["downstream"]}
    assert downstream["marts.patient_conditions.has_ckd"] == ["DIRECT:TRANSFORMATION", "INDIRECT:CONDITIONAL"]
    assert downstream["research.ckd_cohort.has_ckd"] == [
        "DIRECT:TRANSFORMATION",
        "INDIRECT:CONDITIONAL",
        "DIRECT:IDENTITY",
    ]
    assert downstream["research.ckd_cohort.*"][-1] == "INDIRECT:FILTER"  # the cohort is chosen by it


def test_impact_of_a_table_known_only_from_sql(
    hospital: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "lineage", "build", str(PIPELINES))
    run(capsys, "login", "--user", "pia", "--role", "privacy_analyst")
    code, out, _ = run(capsys, "impact", "staging.stg_patients", "--json")
    report = json.loads(out)
    assert code == 0
    columns = {d["column"] for d in report["downstream"]}
    assert "export.ba_acme_billing.patient_first_name" in columns
    assert "research.ckd_cohort.zip3" in columns
    assert {"NAME", "SSN", "DATE"} <= set(report["kinds"])
    # staging tables are not in the warehouse: nobody read them, and no rows can be counted there
    assert report["readers"] == [] and report["individuals"] is None


def test_recipient_names_come_from_the_workspace_settings(
    hospital: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    (hospital.home / "settings.toml").write_text(
        '[lineage.recipients]\n"export.ba_acme_billing" = "Acme Billing (business associate)"\n'
    )
    run(capsys, "lineage", "build", str(PIPELINES))
    run(capsys, "login", "--user", "pia", "--role", "privacy_analyst")
    _, out, _ = run(capsys, "impact", "patients.ssn", "--json")
    names = [r["name"] for r in json.loads(out)["recipients"]]
    assert names == ["Acme Billing (business associate)", "exports/acme_billing.csv"]


def test_lineage_commands(hospital: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "lineage", "build")[0] == 1  # nothing stored, nothing given
    assert run(capsys, "lineage", "build", str(tmp_path / "missing"))[0] == 1
    assert run(capsys, "lineage", "build", "--dialect", "klingon", str(PIPELINES))[0] == 1
    bad = tmp_path / "sql"
    bad.mkdir()
    (bad / "a.sql").write_text("CREATE TABLE x AS SELECT id FROM patients;\n")
    (bad / "b.sql").write_text("CREATE TABLE y AS SELECT FROM (;\n")
    code, out, _ = run(capsys, "lineage", "build", "--json", str(bad))
    built = json.loads(out)
    assert code == 0 and built["files"] == 2 and built["edges"] == 1
    assert [(Path(e["file"]).name, e["line"]) for e in built["errors"]] == [("b.sql", 1)]
    code, out, _ = run(capsys, "lineage", "edges", "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines == [
        {
            "source": "patients.id",
            "target": "x.id",
            "type": "DIRECT",
            "subtype": "IDENTITY",
            "grade": "inferred",
            "transform": None,
            "origin": str((bad / "a.sql").resolve()),
        }
    ]
    code, out, _ = run(capsys, "lineage", "build", str(bad), "--schema-from-warehouse")
    assert code == 0
    _, out, _ = run(capsys, "lineage", "edges", "--json")
    assert [json.loads(line)["source"] for line in out.splitlines()] == ["main.patients.id"]
    assert json.loads(out)["grade"] == "resolved"


def test_edges_json_carries_the_protective_transform(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "h.sql").write_text(
        "CREATE TABLE h AS SELECT md5(ssn) AS k, year(birthdate) AS y, id FROM p;\n"
    )
    run(capsys, "lineage", "build", str(tmp_path))
    _, out, _ = run(capsys, "lineage", "edges", "--json")
    transforms = {json.loads(line)["target"]: json.loads(line)["transform"] for line in out.splitlines()}
    assert transforms == {"h.k": "hash", "h.y": "generalize", "h.id": None}


def test_percent_phi_impact_returns_the_report(
    hospital: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from IPython.core.error import UsageError
    from IPython.core.interactiveshell import InteractiveShell

    run(capsys, "lineage", "build", str(PIPELINES))
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "workbench")
    try:
        with pytest.raises(UsageError, match="No session"):
            shell.run_line_magic("phi", "impact patients.SSN")
        shell.run_line_magic("phi", "login --user pia --role privacy_analyst")
        report = shell.run_line_magic("phi", "impact patients.SSN --since 2000-01-01")
        assert isinstance(report, ImpactReport) and len(report.downstream) == 7
        assert report.to_json() == impact(hospital, "patients.SSN", since="2000-01-01").to_json()
    finally:
        shell.run_line_magic("unload_ext", "workbench")
        InteractiveShell.clear_instance()


def test_only_investigators_may_ask(hospital: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "login", "--user", "bo", "--role", "billing")
    with pytest.raises(AccessDenied):
        impact(hospital, "patients.SSN")


def test_a_date_only_until_takes_in_that_whole_day(
    hospital: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime, timedelta

    governed_reads(capsys)
    run(capsys, "lineage", "build", str(PIPELINES))
    run(capsys, "login", "--user", "pia", "--role", "privacy_analyst")
    today = datetime.now(UTC).date()
    code, out, _ = run(capsys, "impact", "patients.SSN", "--json", "--until", today.isoformat())
    report = json.loads(out)
    assert code == 0 and len(report["readers"]) == 2
    next_day = (today + timedelta(days=1)).isoformat()
    assert report["window"] == {"since": None, "until": f"{next_day}T00:00:00+00:00", "until_exclusive": True}
    code, out, _ = run(capsys, "impact", "patients.SSN", "--until", today.isoformat())
    assert f"window (UTC) from the beginning to before {next_day}T00:00:00+00:00" in out
    code, out, _ = run(capsys, "impact", "patients.SSN", "--json")
    assert json.loads(out)["window"] == {"since": None, "until": None, "until_exclusive": False}


def test_an_ambiguous_short_table_name_lists_its_candidates(
    hospital: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "two.sql").write_text(
        "CREATE TABLE m.t1 AS SELECT ssn FROM patients;\nCREATE TABLE x.t1 AS SELECT ssn FROM patients;\n"
    )
    run(capsys, "lineage", "build", str(tmp_path))
    run(capsys, "login", "--user", "pia", "--role", "privacy_analyst")
    code, _, err = run(capsys, "impact", "t1.ssn")
    assert code == 1 and "ambiguous" in err and "m.t1" in err and "x.t1" in err
    code, _, _ = run(capsys, "impact", "m.t1.ssn")
    assert code == 0


# (typed target, the table it resolves to, or None when refused as ambiguous)
SHORT_NAMES = [
    ("t1.ssn", None),  # staging.t1 and clinic.main.t1: a name in schema main is no better a match
    ("staging.t1.ssn", "staging.t1.ssn"),
    ("clinic.main.t1.ssn", "clinic.main.t1.ssn"),
    ("main.t1.ssn", "clinic.main.t1.ssn"),
    ("t2.ssn", None),
    ("x.t2.ssn", "x.t2.ssn"),
    ("out_a.ssn", "export.out_a.ssn"),
]


@pytest.mark.parametrize(("typed", "resolved"), SHORT_NAMES)
def test_a_short_name_ending_two_tables_of_any_catalog_is_ambiguous(
    hospital: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path, typed: str, resolved: str | None
) -> None:
    (tmp_path / "a.sql").write_text(
        "CREATE TABLE staging.t1 AS SELECT ssn FROM src_a;\n"
        "CREATE TABLE export.out_a AS SELECT ssn FROM staging.t1;\n"
    )
    (tmp_path / "b.sql").write_text(
        "CREATE TABLE clinic.main.t1 AS SELECT ssn FROM src_b;\n"
        "CREATE TABLE clinic.main.out_b AS SELECT ssn FROM clinic.main.t1;\n"
    )
    (tmp_path / "c.sql").write_text(
        "CREATE TABLE m.t2 AS SELECT ssn FROM src_a;\nCREATE TABLE x.t2 AS SELECT ssn FROM src_b;\n"
    )
    run(capsys, "lineage", "build", str(tmp_path))
    run(capsys, "login", "--user", "pia", "--role", "privacy_analyst")
    code, out, err = run(capsys, "impact", typed, "--json")
    if resolved is None:
        assert code == 1 and "ambiguous" in err
        return
    assert code == 0, err
    assert json.loads(out)["target"] == resolved  # the table it resolved to, not what was typed
    [entry] = [e for e in Ledger(hospital.ledger_path).entries() if e.action == "impact"]
    assert entry.detail["target"] == resolved


def test_the_pipelines_and_dbt_staging_tables_are_not_confused(
    hospital: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.lineage.sources import DBT_BUILD

    run(capsys, "lineage", "build", str(PIPELINES))
    run(capsys, *DBT_BUILD)
    run(capsys, "login", "--user", "pia", "--role", "privacy_analyst")
    code, _, err = run(capsys, "impact", "stg_patients.ssn")
    assert code == 1 and "staging.stg_patients" in err and "clinic.main.stg_patients" in err
    code, out, err = run(capsys, "impact", "staging.stg_patients.ssn", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["target"] == "staging.stg_patients.ssn"
    assert "export.ba_acme_billing" in {r["name"] for r in report["recipients"]}
    code, out, _ = run(capsys, "impact", "patients.SSN", "--json")
    assert code == 0 and json.loads(out)["target"] == "patients.ssn"


# (target, shape stored in the ledger)
UNRESOLVED_TARGETS = [("999-17-5017", "ddd-dd-dddd"), ("John Smith", "aaaa aaaaa"), ("patients.x9", None)]


@pytest.mark.parametrize(("target", "stored"), UNRESOLVED_TARGETS)
def test_an_unresolved_target_is_kept_as_its_shape(
    hospital: Settings, capsys: pytest.CaptureFixture[str], target: str, stored: str | None
) -> None:
    run(capsys, "lineage", "build", str(PIPELINES))
    run(capsys, "login", "--user", "pia", "--role", "privacy_analyst")
    code, _, err = run(capsys, "impact", target)
    assert code == 1 and target not in err
    assert "does not name a table or column in the lineage graph" in err
    [entry] = [e for e in Ledger(hospital.ledger_path).entries() if e.action == "impact"]
    assert target not in json.dumps(entry.detail)
    if stored is not None:
        assert entry.detail["target"] == stored
