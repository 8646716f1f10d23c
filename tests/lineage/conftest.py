"""A workspace holding the bundled synthetic hospital, seeded once per module and copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.settings import Settings


@pytest.fixture(scope="module")
def _hospital_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from workbench.loading import seed

    home = tmp_path_factory.mktemp("hospital") / "home"
    seed(Settings.load(home=home))
    return home


@pytest.fixture
def hospital(_hospital_template: Path, _isolated_home: Path) -> Iterator[Settings]:
    """A private copy of a workspace holding the bundled synthetic hospital."""
    shutil.copytree(_hospital_template, _isolated_home)
    yield Settings.load()
