"""Plain-SQL builds show progress like dbt builds: the CLI passes the bar, the core reports to it."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator

import pytest

from tests.conftest import REPO
from workbench.cli.main import main
from workbench.lineage import progress
from workbench.lineage.progress import Advance
from workbench.settings import Settings

PIPELINES = REPO / "data" / "synthetic" / "pipelines"


class Recorded:
    """A progress that remembers (description, total, advanced)."""

    def __init__(self) -> None:
        self.bars: list[list[object]] = []

    @contextlib.contextmanager
    def __call__(self, total: int, description: str) -> Iterator[Advance]:
        shown: list[object] = [description, total, 0]
        self.bars.append(shown)

        def advance(n: int) -> None:
            shown[2] = int(shown[2]) + n  # type: ignore[call-overload]

        yield advance


def test_a_plain_sql_build_reports_progress(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    recorded = Recorded()
    monkeypatch.setattr(progress, "bar", recorded)
    assert main(["lineage", "build", str(PIPELINES)]) == 0, capsys.readouterr().err
    assert recorded.bars, "no progress was reported"
    parsing = [b for b in recorded.bars if "pars" in str(b[0])]
    tracing = [b for b in recorded.bars if "trac" in str(b[0])]
    assert parsing and parsing[0][1] == parsing[0][2] == 9  # nine files, each advanced once
    assert tracing and tracing[0][1] == tracing[0][2] and int(tracing[0][1]) >= 9  # type: ignore[call-overload]


def test_the_bar_shows_nothing_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    with progress.bar(100, "tracing SQL") as advance:
        advance(100)
    assert capsys.readouterr().err == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


# (TQDM_DISABLE, items, a bar is drawn) -- negative rows: asked quiet, or a short job
BARS = [(None, 100, True), ("1", 100, False), ("true", 100, False), (None, 5, False)]


@pytest.mark.parametrize(("quiet", "items", "drawn"), BARS)
def test_the_bar_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, quiet: str | None, items: int, drawn: bool
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    if quiet is None:
        monkeypatch.delenv("TQDM_DISABLE", raising=False)
    else:
        monkeypatch.setenv("TQDM_DISABLE", quiet)
    with progress.bar(items, "tracing SQL") as advance:
        advance(items)
    assert ("tracing SQL" in terminal.getvalue()) is drawn
