"""Fixtures for the warehouse tests: the real Synthea sample, writable copies of it, one loaded warehouse."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.warehouse.synthea import load_synthea

SYNTHEA_SAMPLE = Path(os.environ.get("WORKBENCH_SYNTHEA_SAMPLE", "/work/shared/data/synthea"))


@pytest.fixture(scope="session")
def synthea_sample() -> Path:
    """The read-only 27-patient Synthea v3.0 export; tests that need it skip when it is absent."""
    if not (SYNTHEA_SAMPLE / "patients.csv").is_file():
        pytest.skip(f"Synthea sample not found at {SYNTHEA_SAMPLE}")
    return SYNTHEA_SAMPLE


@pytest.fixture(scope="session")
def copy_sample(synthea_sample: Path) -> Callable[[Path], Path]:
    """Makes writable copies of the sample's CSV files (its files and folder are read-only)."""

    def copy(target: Path) -> Path:
        target.mkdir(parents=True)
        for csv_file in synthea_sample.glob("*.csv"):
            shutil.copyfile(csv_file, target / csv_file.name)
        return target

    return copy


@pytest.fixture
def export_copy(copy_sample: Callable[[Path], Path], tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "export")


@pytest.fixture(scope="module")
def loaded_warehouse(synthea_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding the sample, loaded once per module for tests that only read it."""
    warehouse = tmp_path_factory.mktemp("loaded") / "warehouse.duckdb"
    load_synthea(synthea_sample, warehouse)
    return warehouse
