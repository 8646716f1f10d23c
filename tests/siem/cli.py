"""Driving `workbench ledger …` through the CLI's `main([...])`, as a user would."""

from __future__ import annotations

import pytest

from workbench.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
