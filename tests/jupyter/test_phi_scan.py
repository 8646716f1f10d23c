"""`%phi scan` and `%phi mask` in a real in-process IPython shell: strings, DataFrames, warehouse tables."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from workbench.settings import Settings

NOTE = "HIS WIFE MARY CALLED 508-222-5200 ON 3/4/2021, SSN 999-17-5017"


@pytest.fixture
def shell(settings: Settings) -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "workbench")
    ip.user_ns["note"] = NOTE
    ip.user_ns["frame"] = pd.DataFrame(
        {
            "PATIENT_ID": ["a1", "b2", "c3"],
            "FIRST": ["Maria", "John", "Aiko"],
            "NOTES": ["call 508-222-5200", "ok", None],
            "AGE": [34, 92, 55],
        }
    )
    yield ip
    ip.run_line_magic("unload_ext", "workbench")
    InteractiveShell.clear_instance()


@pytest.mark.parametrize(
    ("line", "kinds"),
    [
        ('scan "Seen by Dr. Okafor on 3/4/2021" --fast', ["NAME", "DATE"]),
        ("scan note --fast", ["NAME", "PHONE", "DATE", "SSN"]),
        ("scan note", ["NAME", "PHONE", "DATE", "SSN"]),
        ("scan 'note' --fast", []),  # quoted: the word itself, not the variable
        ('scan "" --fast', []),
    ],
)
def test_scan_a_string(shell: InteractiveShell, line: str, kinds: list[str]) -> None:
    found = shell.run_line_magic("phi", line)
    assert list(found["kind"]) == kinds
    assert list(found.columns) == ["kind", "start", "end", "score", "recognizer"]
    assert "MARY" not in found.to_string() and "999-17" not in found.to_string()


def test_scan_a_dataframe_classifies_its_columns(shell: InteractiveShell) -> None:
    tags = shell.run_line_magic("phi", "scan frame")
    assert dict(zip(tags["column"], tags["kinds"], strict=True)) == {
        "PATIENT_ID": "OTHER_ID",
        "FIRST": "NAME",
        "NOTES": "PHONE",
        "AGE": "-",
    }
    assert "Maria" not in tags.to_string() and "508-222" not in tags.to_string()


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("mask note --fast", "HIS WIFE [NAME] CALLED [PHONE] ON [DATE], SSN [SSN]"),
        ("mask note --fast --operator redact", "HIS WIFE  CALLED  ON , SSN "),
        ("mask note --fast --operator generalize", "HIS WIFE [NAME] CALLED [PHONE] ON 2021, SSN [SSN]"),
        ('mask "no phi here" --fast', "no phi here"),
    ],
)
def test_mask_a_string(shell: InteractiveShell, line: str, masked: str) -> None:
    assert shell.run_line_magic("phi", line) == masked


def test_mask_hash_and_shift_use_the_workspace_key(shell: InteractiveShell) -> None:
    hashed = shell.run_line_magic("phi", "mask note --fast --operator hash")
    assert hashed.count("h_") == 4 and "MARY" not in hashed
    assert shell.run_line_magic("phi", "mask note --fast --operator hash") == hashed
    shifted = shell.run_line_magic("phi", "mask note --fast --operator shift --patient p1")
    assert "3/4/2021" not in shifted and "[NAME]" in shifted
    assert shell.run_line_magic("phi", "mask note --fast --operator shift --patient p1") == shifted


def test_mask_a_dataframe_masks_text_cells_only(shell: InteractiveShell) -> None:
    masked = shell.run_line_magic("phi", "mask frame --fast")
    assert list(masked["FIRST"]) == ["[NAME]", "[NAME]", "[NAME]"]
    assert list(masked["NOTES"])[:2] == ["call [PHONE]", "ok"] and masked["NOTES"].isna().iloc[2]
    assert list(masked["AGE"]) == [34, 92, 55]
    assert list(shell.user_ns["frame"]["FIRST"]) == ["Maria", "John", "Aiko"]  # the original is untouched


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("mask nope", "No variable 'nope'"),
        ("scan", "Say what to scan"),
        ("mask note --operator scramble", "Unknown operator"),
        ("mask note --operator shift", "needs --patient"),
        ("scan --table patients", "warehouse"),
    ],
)
def test_errors_are_one_sentence(shell: InteractiveShell, line: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        shell.run_line_magic("phi", line)


def test_scan_a_warehouse_table(loaded: Settings) -> None:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "workbench")
    try:
        for line in ("scan --table patients", "scan patients"):
            tags = ip.run_line_magic("phi", line)
            kinds = dict(zip(tags["column"], tags["kinds"], strict=True))
            assert (kinds["SSN"], kinds["FIRST"], kinds["GENDER"]) == ("SSN", "NAME", "-")
        with pytest.raises(UsageError, match="not in the warehouse"):
            ip.run_line_magic("phi", "scan nope")
    finally:
        ip.run_line_magic("unload_ext", "workbench")
        InteractiveShell.clear_instance()
