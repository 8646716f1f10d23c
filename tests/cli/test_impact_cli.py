"""`workbench impact` counts readers from imported query logs as well as governed queries (CLI end to end)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO
from tests.lineage import conftest as workspaces
from workbench.cli.main import main
from workbench.settings import Settings

# the synthetic hospital's workspace, seeded once per module (the lineage tests' fixtures)
_hospital_template, hospital = workspaces._hospital_template, workspaces.hospital

PIPELINES = REPO / "data" / "synthetic" / "pipelines"
LOG = REPO / "tests" / "fixtures" / "query_logs" / "postgres.log"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, (argv, err)
    return out


# (window, readers expected as (principal, source)) -- the log's reads are in May and June 2024
WINDOWS = [
    ((), {("ana", "query log postgres.log"), ("bo", "query log postgres.log"),
          ("dora", "query log postgres.log"), ("eve", "governed query")}),
    (("--since", "2024-05-01", "--until", "2024-05-31"),
     {("ana", "query log postgres.log"), ("bo", "query log postgres.log")}),
    (("--until", "2024-05-01"), {("ana", "query log postgres.log"), ("bo", "query log postgres.log")}),
    (("--until", "2024-04-30"), set()),
]  # fmt: skip


@pytest.mark.parametrize(("window", "expected"), WINDOWS)
def test_impact_readers_include_query_log_readers(
    hospital: Settings,
    capsys: pytest.CaptureFixture[str],
    window: tuple[str, ...],
    expected: set[tuple[str, str]],
) -> None:
    for argv in (
        ("login", "--user", "eve", "--role", "billing"),
        ("query", "SELECT SSN FROM patients LIMIT 1"),
        ("logout",),
        ("lineage", "build", str(PIPELINES)),
        ("lineage", "import-history", str(LOG), "--format", "postgres"),
        ("login", "--user", "pia", "--role", "privacy_analyst"),
    ):
        run(capsys, *argv)
    report = json.loads(run(capsys, "impact", "patients.SSN", "--json", *window))
    assert {(r["principal"], r["source"]) for r in report["readers"]} == expected
    by_source = {(r["principal"], r["source"]): r for r in report["readers"]}
    if ("bo", "query log postgres.log") in by_source:
        bo = by_source[("bo", "query log postgres.log")]
        assert bo["first"] <= bo["last"] and bo["count"] >= 1
    text = run(capsys, "impact", "patients.SSN", *window)
    assert f"{len(expected)} readers" in text
