"""`%phi ledger [--since] [--until] [--who] [--table] [--outcome]` in a real in-process IPython shell."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from tests.siem.sample import ledger_with
from workbench.ledger import Ledger, LedgerEvent
from workbench.settings import Settings


@pytest.fixture
def shell(settings: Settings) -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "workbench")
    yield ip
    ip.run_line_magic("unload_ext", "workbench")
    InteractiveShell.clear_instance()


@pytest.fixture
def ledger(settings: Settings) -> Ledger:
    events = [
        LedgerEvent("ana", "researcher", "research", "query", "ok", {"tables": ["patients"]}),
        LedgerEvent("bo", "billing", "payment", "query", "denied", {"tables": ["patients"]}),
        LedgerEvent("ana", "researcher", "research", "query", "ok", {"tables": ["claims"]}),
    ]
    return ledger_with(settings.ledger_path, events)[0]


def test_ledger_query_renders_a_table(shell: InteractiveShell, ledger: Ledger) -> None:
    with capture_output() as captured:
        shell.run_line_magic("phi", "ledger --who ana --table patients --since 2026-12-03T09:00:00-05:00")
    text = captured.outputs[0].data["text/plain"]
    rows = [line for line in text.splitlines() if line[:1].isdigit() and "matched" not in line]
    assert len(rows) == 1 and rows[0].split()[:3] == ["1", "2026-12-03T14:05:01.000000+00:00", "ana"]
    assert "1 of 3 entries matched" in text and "chain intact" in text
    assert "<table" in captured.outputs[0].data["text/html"]
    last = ledger.last()
    assert last is not None and last.action == "ledger_read" and last.detail["matched"] == 1


def test_ledger_query_by_outcome_and_until(shell: InteractiveShell, ledger: Ledger) -> None:
    with capture_output() as captured:
        shell.run_line_magic("phi", "ledger --outcome denied --until 2026-12-03T14:05:01.001001Z")
    assert "1 of 3 entries matched" in captured.outputs[0].data["text/plain"]


MAGIC_ERRORS = [
    ("ledger --since 2026-12-03T09:00:00", "no UTC offset"),
    ("ledger --outcome maybe", "Unknown outcome"),
    ("ledger --frobnicate", "unrecognized arguments"),
]


@pytest.mark.parametrize(("line", "message"), MAGIC_ERRORS)
def test_errors_are_one_sentence(line: str, message: str, shell: InteractiveShell, ledger: Ledger) -> None:
    with pytest.raises(UsageError, match=message):
        shell.run_line_magic("phi", line)


def test_ledger_verify_still_works(
    shell: InteractiveShell, ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.run_line_magic("phi", "ledger verify")
    assert "Ledger OK: 3 entries" in capsys.readouterr().out
