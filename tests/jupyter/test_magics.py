"""`%load_ext workbench` and `%%phi` in a real in-process IPython shell."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from tests.conftest import synthea_dir
from workbench.cli.main import main
from workbench.settings import Settings


@pytest.fixture
def shell(loaded: Settings) -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "workbench")
    yield ip
    ip.run_line_magic("unload_ext", "workbench")
    InteractiveShell.clear_instance()


def test_phi_cell_is_masked_and_shown_richly(shell: InteractiveShell) -> None:
    shell.run_line_magic("phi", "login --user ana --role researcher  # a comment is ignored")
    with capture_output() as captured:
        shell.run_cell_magic("phi", "-o frame", "SELECT FIRST, LAST, BIRTHDATE, ZIP FROM patients")
    frame = shell.user_ns["frame"]
    assert len(frame) == 27 and set(frame["FIRST"]) == {"[NAME]"}
    html = captured.outputs[0].data["text/html"]
    assert "masked" in html and "generalized" in html and "ledger #" in html
    assert captured.outputs[0].metadata["text/html"] == {"workbench": {"phi_result": True}}


def test_errors_are_one_sentence_without_traceback(shell: InteractiveShell) -> None:
    with pytest.raises(UsageError, match=r"No session\. Run `%phi login"):
        shell.run_cell_magic("phi", "", "SELECT 1")
    shell.run_line_magic("phi", "login --user ana --role researcher")
    with pytest.raises(UsageError, match="Refused COPY"):
        shell.run_cell_magic("phi", "", "COPY patients TO 'x.csv'")
    with pytest.raises(UsageError, match="Unknown %phi command"):
        shell.run_line_magic("phi", "fly")
    with pytest.raises(UsageError, match="Unknown role"):
        shell.run_line_magic("phi", "login --user ana --role pirate")
    with pytest.raises(UsageError, match="-o needs a Python variable name"):
        shell.run_cell_magic("phi", "-o 1x", "SELECT 1")


def test_kernel_and_cli_share_the_session(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["login", "--user", "bo", "--role", "billing"]) == 0
    capsys.readouterr()
    shell.run_line_magic("phi", "whoami")
    assert "bo  role=billing" in capsys.readouterr().out
    shell.run_line_magic("phi", "login --user ana --role researcher")
    capsys.readouterr()
    assert main(["whoami", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["role"] == "researcher"


def test_columns_and_ledger_verify(shell: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    with capture_output() as captured:
        shell.run_line_magic("phi", "columns patients")
    assert "SSN" in captured.outputs[0].data["text/plain"]
    shell.run_line_magic("phi", "ledger verify")
    assert "Ledger OK" in capsys.readouterr().out


def test_config_sets_the_display_limit(shell: InteractiveShell) -> None:
    shell.run_line_magic("config", "Phi.display_limit = 3")
    shell.run_line_magic("phi", "login --user bo --role billing")
    with capture_output() as captured:
        shell.run_cell_magic("phi", "", "SELECT Id FROM patients")
    assert captured.outputs[0].data["text/html"].count("<tr>") == 4  # header + 3 rows
    assert synthea_dir().exists()
