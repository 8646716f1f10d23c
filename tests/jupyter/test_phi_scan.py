"""`%phi scan` and `%phi mask` in a real in-process IPython shell: strings, DataFrames, warehouse tables."""

from __future__ import annotations

import json
from collections.abc import Iterator

import duckdb
import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from workbench import audit
from workbench.ledger import LedgerEntry
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
        "AGE": "DATE",  # 92: an age over 89 is a Safe Harbor date element
    }
    assert "Maria" not in tags.to_string() and "508-222" not in tags.to_string()


FREE_TEXT = ["Pt Zofia Kowalczyk SSN 999-12-3456 called 508-222-5200"]


# (DataFrame, expected kinds per column): a DataFrame is never a reference table; its values count
@pytest.mark.parametrize(
    ("frame", "kinds"),
    [
        (pd.DataFrame({"note": FREE_TEXT}), ["NAME, PHONE, SSN"]),
        (pd.DataFrame({"text": FREE_TEXT}), ["NAME, PHONE, SSN"]),
        (pd.DataFrame({0: FREE_TEXT, 1: ["ok"]}), ["NAME, PHONE, SSN", "-"]),
        (
            pd.DataFrame([FREE_TEXT], columns=pd.MultiIndex.from_tuples([("visit", "note")])),
            ["NAME, PHONE, SSN"],
        ),
        (pd.DataFrame({"blob": [b"SSN 123-45-6789"]}), ["SSN"]),
        (pd.DataFrame({"blob": [b"\xff\xfe\x80 SSN 123-45-6789 \xc3"]}), ["SSN"]),  # invalid UTF-8
        (pd.DataFrame({"ssn": [123456789], "zip": [2139], "age": [93]}), ["SSN", "GEO", "DATE"]),
        (pd.DataFrame({"born": [pd.Timestamp("1931-05-10")]}), ["DATE"]),
        (
            pd.DataFrame([["999-12-3456", "x", "p1"]], columns=["ssn", "ssn", "patient"]),
            ["SSN", "SSN", "OTHER_ID"],
        ),
        # negative rows: nothing identifying
        (pd.DataFrame({"note": ["Tolerated diet, ambulating, no complaints"]}), ["-"]),
        (pd.DataFrame({"GENDER": ["F", "M"], "AGE": [34, 55], "flag": [True, False]}), ["-", "-", "-"]),
        (pd.DataFrame({"CODE": [195662009, 10509002], "AMOUNT": [12.5, 3.0]}), ["-", "-"]),
        (pd.DataFrame({"DESCRIPTION": ["Acute bronchitis", "Sprain of ankle"]}), ["-"]),
        (pd.DataFrame({"x": [None, None]}), ["-"]),
        (pd.DataFrame({"LAST_UPDATED_BY": ["etl_job", "etl_job"]}), ["-"]),
    ],
)
def test_scan_any_dataframe_reads_its_values(
    shell: InteractiveShell, frame: pd.DataFrame, kinds: list[str]
) -> None:
    shell.user_ns["d"] = frame
    tags = shell.run_line_magic("phi", "scan d")
    assert list(tags["kinds"]) == kinds, list(tags["evidence"])
    assert "not person-level" not in tags.to_string()
    assert "Kowalczyk" not in tags.to_string() and "3456" not in tags.to_string()


def test_scan_bytes_with_invalid_utf8(shell: InteractiveShell) -> None:
    shell.user_ns["raw"] = b"\xff\xfe SSN 999-12-3456 \xc3"
    assert list(shell.run_line_magic("phi", "scan raw --fast")["kind"]) == ["SSN"]
    assert shell.run_line_magic("phi", "mask raw --fast") == "\ufffd\ufffd SSN [SSN] \ufffd"


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


def test_mask_a_dataframe(shell: InteractiveShell) -> None:
    masked = shell.run_line_magic("phi", "mask frame --fast")
    assert list(masked["FIRST"]) == ["[NAME]", "[NAME]", "[NAME]"]
    assert list(masked["NOTES"])[:2] == ["call [PHONE]", "ok"] and masked["NOTES"].isna().iloc[2]
    assert list(masked["AGE"]) == ["[DATE]"] * 3  # an age column holding 92: every cell
    assert list(shell.run_line_magic("phi", "mask frame --fast --operator generalize")["AGE"]) == [
        "34",
        "90+",
        "55",
    ]
    assert list(shell.user_ns["frame"]["FIRST"]) == ["Maria", "John", "Aiko"]  # the original is untouched


TYPED = pd.DataFrame(
    {
        "ssn": [123456789, None],
        "zip": [2139, 90210],
        "phone": [6175550101, 5082225200],
        "mrn": [88812345, 88812346],
        "age": [93, 40],
        "birth_date": [pd.Timestamp("1931-05-10"), pd.Timestamp("1990-02-03")],
        "blob": [b"SSN 123-45-6789", b"nothing here"],
        "count": [3, 4],
    }
)


# (operator, expected masked rows): every non-string cell of an identifier column is masked too
@pytest.mark.parametrize(
    ("operator", "rows"),
    [
        (
            "replace",
            [
                ["[SSN]", "[GEO]", "[PHONE]", "[MRN]", "[DATE]", "[DATE]", "SSN [SSN]", 3],
                [None, "[GEO]", "[PHONE]", "[MRN]", "[DATE]", "[DATE]", b"nothing here", 4],
            ],
        ),
        (
            "generalize",
            [
                ["[SSN]", "021", "[PHONE]", "[MRN]", "90+", "90+", "SSN [SSN]", 3],
                [None, "902", "[PHONE]", "[MRN]", "40", "1990", b"nothing here", 4],
            ],
        ),
        (
            "redact",
            [["", "", "", "", "", "", "SSN ", 3], [None, "", "", "", "", "", b"nothing here", 4]],
        ),
    ],
)
def test_mask_every_cell_type(shell: InteractiveShell, operator: str, rows: list[list[object]]) -> None:
    shell.user_ns["typed"] = TYPED
    masked = shell.run_line_magic("phi", f"mask typed --fast --operator {operator}")
    got = [[None if cell is None or cell != cell else cell for cell in row] for row in masked.values.tolist()]
    assert got == rows
    assert list(masked.columns) == list(TYPED.columns) and list(masked["count"]) == [3, 4]


def test_mask_hash_covers_non_string_cells(shell: InteractiveShell) -> None:
    shell.user_ns["typed"] = TYPED
    hashed = shell.run_line_magic("phi", "mask typed --fast --operator hash")
    assert all(str(cell).startswith("h_") for cell in hashed.iloc[0, :6])
    assert "123456789" not in hashed.to_string() and "1931" not in hashed.to_string()


def test_mask_duplicate_and_odd_column_names_by_position(shell: InteractiveShell) -> None:
    shell.user_ns["dup"] = pd.DataFrame(
        [["999-12-3456", "Dr. Smith", "p1"]], columns=["ssn", "ssn", "patient"]
    )
    masked = shell.run_line_magic("phi", "mask dup --fast")
    assert list(masked.columns) == ["ssn", "ssn", "patient"]
    assert masked.values.tolist() == [["[SSN]", "[SSN]", "[OTHER_ID]"]]
    shell.user_ns["multi"] = pd.DataFrame(
        [[FREE_TEXT[0], "ok"]], columns=pd.MultiIndex.from_tuples([("visit", "note"), ("visit", "code")])
    )
    masked = shell.run_line_magic("phi", "mask multi --fast")
    assert masked.values.tolist() == [["Pt [NAME] SSN [SSN] called [PHONE]", "ok"]]
    shell.user_ns["numbered"] = pd.DataFrame({0: FREE_TEXT})
    assert shell.run_line_magic("phi", "mask numbered --fast").values.tolist() == [
        ["Pt [NAME] SSN [SSN] called [PHONE]"]
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("mask nope", "No variable named 'nope' in the notebook. Check the spelling"),
        ("mask", "Say what to mask"),
        ("scan", "Say what to scan"),
        ("scan nope", "No variable or table named 'nope'. Check the spelling"),  # no warehouse either
        ("mask note --operator scramble", "Unknown operator"),
        ("mask note --operator shift", "needs --patient"),
        ("scan --table patients", "warehouse"),
        ("scan note --bogus", r"unrecognized arguments: --bogus. Use `%phi scan"),
        ("mask note --operator", r"expected one argument. Use `%phi mask .*--patient ID\] \[--fast\]`"),
    ],
)
def test_errors_are_one_sentence(shell: InteractiveShell, line: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as raised:
        shell.run_line_magic("phi", line)
    assert "%phi login" not in str(raised.value)  # this command's usage, not the whole %phi usage


def _scan_entries(settings: Settings) -> list[LedgerEntry]:
    return [entry for entry in audit.ledger(settings).entries() if entry.action == "scan"]


def test_scan_a_warehouse_table(loaded: Settings) -> None:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "workbench")
    try:
        for line in ("scan --table patients", "scan patients"):
            tags = ip.run_line_magic("phi", line)
            kinds = dict(zip(tags["column"], tags["kinds"], strict=True))
            assert (kinds["SSN"], kinds["FIRST"], kinds["GENDER"]) == ("SSN", "NAME", "-")
        with pytest.raises(UsageError, match="No variable or table named 'nope'"):
            ip.run_line_magic("phi", "scan nope")
        with pytest.raises(UsageError, match="not in the warehouse"):
            ip.run_line_magic("phi", "scan --table nope")
    finally:
        ip.run_line_magic("unload_ext", "workbench")
        InteractiveShell.clear_instance()


def test_a_table_scan_is_recorded_without_values(loaded: Settings) -> None:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "workbench")
    try:
        before = len(_scan_entries(loaded))
        ip.run_line_magic("phi", "scan --table patients")
        ip.run_line_magic("phi", "scan providers")
        with pytest.raises(UsageError):
            ip.run_line_magic("phi", "scan --table nope")
    finally:
        ip.run_line_magic("unload_ext", "workbench")
        InteractiveShell.clear_instance()
    patients, providers, missing = _scan_entries(loaded)[before:]
    columns = patients.detail["columns"]
    assert isinstance(columns, dict) and len(columns) == 25  # every column read, with its kinds
    assert (columns["patients.SSN"], columns["patients.GENDER"]) == ("SSN", "-")
    assert (patients.outcome, patients.detail["tables"]) == ("ok", ["patients"])
    assert 0 < int(str(patients.detail["cells"])) <= 27 * 25  # a count, bounded by the sample
    assert (providers.detail["tables"], providers.detail["cells"]) == (["providers"], 0)  # a reference table
    assert (missing.outcome, missing.detail) == ("error", {"error": "UnknownTable"})
    con = duckdb.connect(str(loaded.warehouse_path), read_only=True)
    values = {str(cell) for row in con.execute("SELECT * FROM patients").fetchall() for cell in row if cell}
    con.close()
    recorded = json.dumps([patients.detail, providers.detail])
    assert not [value for value in values if len(value) >= 5 and value in recorded]
