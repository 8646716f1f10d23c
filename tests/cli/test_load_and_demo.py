"""`workbench load synthea` bad input leaves the warehouse as it was; `workbench demo` runs headless."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import synthea_dir
from workbench.cli.main import main
from workbench.settings import Settings
from workbench.warehouse.duck import reader


def _counts(settings: Settings) -> dict[str, int]:
    with reader(settings.warehouse_path) as con:
        tables = [
            r[0]
            for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()
        ]
        return {t: int(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}  # type: ignore[index]


def _broken(tmp_path: Path, how: str) -> Path:
    folder = tmp_path / f"broken-{how}"
    shutil.copytree(synthea_dir(), folder)
    patients = folder / "patients.csv"
    if how == "missing-file":
        (folder / "encounters.csv").unlink()
    elif how == "wrong-header":
        text = patients.read_text().split("\n", 1)
        patients.write_text(text[0].replace("SSN", "SOCIAL") + "\n" + text[1])
    elif how == "bad-value":
        lines = patients.read_text().split("\n")
        lines[3] = lines[3].replace(lines[3].split(",")[1], "notadate", 1)
        patients.write_text("\n".join(lines))
    elif how == "empty-file":
        (folder / "claims.csv").write_text("")
    return folder


BAD_LOADS = ["missing-file", "wrong-header", "bad-value", "empty-file"]


@pytest.mark.parametrize("how", BAD_LOADS)
def test_a_failed_load_changes_nothing(
    how: str, loaded: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _counts(loaded)
    catalog_before = loaded.catalog_path.read_text()
    code = main(["load", "synthea", str(_broken(tmp_path, how))])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "notadate" not in err
    assert _counts(loaded) == before
    assert loaded.catalog_path.read_text() == catalog_before


def test_load_is_recorded_under_the_os_user(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", "synthea", str(synthea_dir()), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tables"]["patients"] == 27
    assert main(["load", "synthea", str(synthea_dir())]) == 0  # replaces, does not append
    assert _counts(settings)["patients"] == 27
    from workbench.ledger import Ledger

    loads = [e for e in Ledger(settings.ledger_path).entries() if e.action == "load"]
    assert len(loads) == 2 and all(e.actor.startswith("os:") and e.outcome == "ok" for e in loads)


def test_demo_runs_headless_in_its_own_workspace(
    loaded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _counts(loaded)
    assert main(["login", "--user", "bo", "--role", "billing"]) == 0
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "role researcher" in out and "role billing" in out and "Ledger: OK" in out
    assert main(["demo", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    researcher_first = report["roles"]["researcher"][0]
    assert all(row[0] == "[NAME]" for row in researcher_first["rows"])
    assert report["ledger"]["ok"] is True
    assert _counts(loaded) == before  # the user's warehouse is untouched
    assert main(["whoami", "--json"]) == 0 and json.loads(capsys.readouterr().out)["user"] == "bo"
