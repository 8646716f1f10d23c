"""docs/lineage.md is executable: its Python example runs against the synthetic hospital."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO
from workbench.settings import Settings

DOC = REPO / "docs" / "lineage.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_python_example_runs(hospital: Settings) -> None:
    [block] = python_blocks()
    exec(block, {"PIPELINES": REPO / "data" / "synthetic" / "pipelines"})


def test_the_settings_example_is_what_impact_reads(hospital: Settings) -> None:
    from workbench.lineage.impact import ImpactSettings

    [toml] = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    Path(hospital.home, "settings.toml").write_text(toml)
    config = ImpactSettings.load(hospital)
    assert config.patient_key_names == ("patient", "patient_id", "patientid")
    assert config.recipients == {"export.ba_acme_billing": "Acme Billing (business associate)"}
