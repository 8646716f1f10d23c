"""Shared fixtures: isolated workspaces, the real Synthea sample, loaded warehouses."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SYNTHEA = Path(os.environ.get("WORKBENCH_SYNTHEA_SAMPLE", REPO.parent / "shared" / "data" / "synthea"))
HOSPITAL = REPO / "data" / "synthetic" / "hospital"


def synthea_dir() -> Path:
    if not (SYNTHEA / "patients.csv").exists():
        pytest.skip(f"Synthea sample not found at {SYNTHEA} (the shared data folder is absent)")
    return SYNTHEA


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own WORKBENCH_HOME so nothing touches the user's workspace."""
    home = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    return home


@pytest.fixture
def settings(_isolated_home: Path) -> Settings:
    return Settings.load()


@pytest.fixture(scope="session")
def _loaded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with the real Synthea sample loaded once per test session."""
    from workbench.loading import load_synthea_export

    source = synthea_dir()
    home = tmp_path_factory.mktemp("loaded") / "home"
    load_synthea_export(source, Settings.load(home=home))
    return home


@pytest.fixture
def loaded(_loaded_template: Path, _isolated_home: Path) -> Iterator[Settings]:
    """A private copy of the loaded workspace (warehouse, catalog, keys, ledger)."""
    shutil.copytree(_loaded_template, _isolated_home)
    yield Settings.load()
