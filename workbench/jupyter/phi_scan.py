"""`%phi scan` and `%phi mask`: the detection engine on a string, a DataFrame or a warehouse table.

    %phi scan "Seen by Dr. Okafor on 3/4/2021"      # findings: kind, offsets, score (never the value)
    %phi scan notes_df [--fast]                     # column classification of a DataFrame (bounded sample)
    %phi scan --table patients                      # column classification of a warehouse table
    %phi scan patients                              # the same, when no variable is called `patients`
    masked = %phi mask note [--operator replace|redact|hash|shift|generalize] [--patient ID] [--fast]

A quoted argument is the text itself. A bare word names a variable of the notebook; for `%phi scan`
only, a bare word that is no variable names a warehouse table (`--table` says so explicitly). A
table scan reads a bounded sample and is recorded in the ledger (table and column names, kinds and
counts: never a value), with or without a session, as `%phi columns` is.

DataFrames are always read and judged by their values (a DataFrame is never a reference table),
whatever the type of their cells: numbers, timestamps and bytes are turned into text for detection
(bytes decoded as UTF-8 with invalid sequences replaced). Columns are taken by position, so
duplicate, integer and MultiIndex column names work.
"""

from __future__ import annotations

import argparse
import contextlib
import re
from datetime import date
from typing import TYPE_CHECKING, Any, NoReturn

from workbench.errors import BadInput, NoSession, UnknownTable, WorkbenchError
from workbench.settings import Settings

if TYPE_CHECKING:
    from workbench.detect.classify import ColumnTag
    from workbench.detect.engine import Mode
    from workbench.detect.finding import Finding
    from workbench.detect.operators import Operator
    from workbench.kinds import IdentifierKind

SAMPLE_ROWS = 200
SAMPLE_SEED = 20240501

SCAN_USAGE = (
    '`%phi scan "TEXT"|VARIABLE [--fast]` or `%phi scan --table TABLE` '
    "(a bare word that is no variable is taken as a table)"
)
MASK_USAGE = (
    '`%phi mask "TEXT"|VARIABLE [--operator replace|redact|hash|shift|generalize] [--patient ID] [--fast]`'
)

# Column roles whose kinds come from the column's name: every non-null cell is the identifier.
_WHOLE_CELL_ROLES = frozenset({"identifier", "record_key", "maybe_key", "year", "age"})
_YEAR = re.compile(r"(?<![0-9])(1[89][0-9]{2}|2[01][0-9]{2})(?![0-9])")
_ZIP_DIGITS = re.compile(r"[0-9]{3,5}(?:-[0-9]{4})?")


class _Parser(argparse.ArgumentParser):
    """Argument errors name this command's usage only, as one sentence."""

    def error(self, message: str) -> NoReturn:
        usage = SCAN_USAGE if self.prog.endswith("scan") else MASK_USAGE
        raise BadInput(f"{message}. Use {usage}.")


def parser(prog: str) -> argparse.ArgumentParser:
    """The argument parser of `%phi scan` or `%phi mask` (by `prog`)."""
    p = _Parser(prog=prog, add_help=False)
    p.add_argument("target", nargs="?")
    p.add_argument("--fast", action="store_true")
    if prog.endswith("scan"):
        p.add_argument("--table")
    else:
        p.add_argument("--operator", default="replace")
        p.add_argument("--patient")
    return p


def _value(namespace: dict[str, Any], argument: str, quoted: bool) -> Any:
    if quoted or not argument.isidentifier():
        return argument
    if argument not in namespace:
        raise BadInput(
            f"No variable named {argument!r} in the notebook. Check the spelling (`%whos` lists the "
            "variables), or quote the text to mask it as a string."
        )
    return namespace[argument]


def _is_frame(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and hasattr(value, "columns")


def _text(value: Any) -> str:
    """Any value as text for detection: bytes decoded as UTF-8 (invalid sequences replaced),
    whole floats without ``.0`` (a ZIP read as 2139.0), dates and timestamps in ISO form."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _missing(cell: Any) -> bool:
    import pandas as pd

    return cell is None or (pd.api.types.is_scalar(cell) and bool(pd.isna(cell)))


def _label(name: Any) -> str:
    """A column name as text: ``1`` -> ``"1"``, a MultiIndex ``("contact", "phone")`` -> ``"contact.phone"``."""
    return ".".join(str(part) for part in name) if isinstance(name, tuple) else str(name)


def _findings_frame(findings: list[Any]) -> Any:
    import pandas as pd

    rows = [(f.kind.value, f.start, f.end, round(f.score, 3), f.recognizer) for f in findings]
    return pd.DataFrame(rows, columns=["kind", "start", "end", "score", "recognizer"])


def _tags_frame(tags: list[Any]) -> Any:
    import pandas as pd

    rows = [
        (t.table, t.column, ", ".join(k.value for k in t.kinds) or "-", t.confidence, t.evidence)
        for t in tags
    ]
    return pd.DataFrame(rows, columns=["table", "column", "kinds", "confidence", "evidence"])


def frame_tags(frame: Any) -> list[ColumnTag]:
    """A `ColumnTag` per column of a DataFrame, by position, from its name and at most `SAMPLE_ROWS` values.

    A DataFrame is always person-level: nothing says it is a reference table of providers.
    """
    from workbench.detect.classify import MAX_VALUE_CHARS, classify_columns

    tags: list[ColumnTag] = []
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        label = _label(frame.columns[position])
        values = series[series.notna().to_numpy()]
        if len(values) > SAMPLE_ROWS:
            values = values.sample(n=SAMPLE_ROWS, random_state=SAMPLE_SEED)
        texts = [text for text in (_text(cell)[:MAX_VALUE_CHARS].strip() for cell in values) if text]
        column = (label, str(series.dtype).upper())
        tags += classify_columns("dataframe", [column], {label: texts}, person_level=True)
    return tags


def scan(namespace: dict[str, Any], args: argparse.Namespace, quoted: bool, settings: Settings) -> Any:
    """A DataFrame of the findings in a string (kind, offsets, score: never the value), or of the column
    classification of a DataFrame or a warehouse table."""
    mode: Mode = "fast" if args.fast else "default"
    if args.table:
        return scan_table(settings, args.table)
    if args.target is None:
        raise BadInput(f"Say what to scan: {SCAN_USAGE}.")
    if not quoted and args.target.isidentifier() and args.target not in namespace:
        return scan_table(settings, args.target, named_by_word=True)
    value = _value(namespace, args.target, quoted)
    if _is_frame(value):
        return _tags_frame(frame_tags(value))
    from workbench.detect.engine import detect

    return _findings_frame(detect(_text(value), mode=mode))


def scan_table(settings: Settings, table: str, *, named_by_word: bool = False) -> Any:
    """Classify the columns of a warehouse table from a bounded sample, and record the read in the ledger.

    Like `%phi columns`, no session is needed: the entry names the session's user, or the OS user.
    The entry holds the table, every column read with the kinds found, and the number of cells
    read; never a value. `named_by_word`: the table was named by a bare word that is no variable,
    so a missing table is reported as a missing variable or table.
    """
    from workbench import audit
    from workbench.detect.classify import classify_columns, sample_table
    from workbench.session import current
    from workbench.warehouse.duck import reader

    principal = None
    with contextlib.suppress(NoSession):
        principal = current(settings)
    try:
        if named_by_word and not settings.warehouse_path.is_file():
            raise UnknownTable(table)
        with reader(settings.warehouse_path, wait_seconds=settings.lock_wait_seconds) as con:
            sample = sample_table(con, table, sample_rows=SAMPLE_ROWS)
    except WorkbenchError as error:
        audit.record(settings, "scan", "error", {"error": type(error).__name__}, principal)
        if named_by_word and isinstance(error, UnknownTable):
            raise BadInput(
                f"No variable or table named {table!r}. Check the spelling: `%whos` lists the notebook's "
                "variables and `%phi columns` the warehouse's tables; quote the text to scan it as a string."
            ) from None
        raise
    tags = classify_columns(sample.table, sample.columns, sample.values, person_level=sample.person_level)
    detail = {
        "tables": [sample.table],
        "columns": {f"{sample.table}.{t.column}": ",".join(k.value for k in t.kinds) or "-" for t in tags},
        "cells": sample.cells,
    }
    audit.record(settings, "scan", "ok", detail, principal)
    return _tags_frame(tags)


def mask(namespace: dict[str, Any], args: argparse.Namespace, quoted: bool, settings: Settings) -> Any:
    """The string or DataFrame with every finding replaced as the operator says."""
    from workbench import audit
    from workbench.detect.engine import detect
    from workbench.detect.operators import OPERATORS, apply, shift_days

    if args.target is None:
        raise BadInput(f"Say what to mask: {MASK_USAGE}.")
    if args.operator not in OPERATORS:
        raise BadInput(f"Unknown operator {args.operator!r}; use one of {', '.join(OPERATORS)}.")
    key = audit.value_key(settings) if args.operator in ("hash", "shift") else None
    days = None
    if args.operator == "shift":
        if not args.patient:
            raise BadInput(
                "The shift operator needs --patient ID, so that one patient's dates move together."
            )
        assert key is not None
        days = shift_days(key, args.patient)
    mode: Mode = "fast" if args.fast else "default"
    value = _value(namespace, args.target, quoted)
    if _is_frame(value):
        return mask_frame(value, args.operator, mode=mode, key=key, days=days)
    text = _text(value)
    return apply(text, detect(text, mode=mode), args.operator, key=key, days=days)[0]


def mask_frame(
    frame: Any,
    operator: Operator,
    *,
    mode: Mode = "default",
    key: bytes | None = None,
    days: int | None = None,
) -> Any:
    """A copy of `frame` with its PHI masked; columns by position, every cell type.

    A column whose name gives it a kind (an SSN, a ZIP, a birth date, an age, a key...) has every
    non-null cell masked whole, whatever its type; in any other column the spans the engine finds
    are masked, and cells without a finding are left as they are. The original is untouched.
    """
    import pandas as pd

    from workbench.detect.column_hints import hint_for
    from workbench.detect.engine import detect_many
    from workbench.detect.operators import apply

    if frame.shape[1] == 0:
        return frame.copy()
    columns = []
    for position, tag in enumerate(frame_tags(frame)):
        series = frame.iloc[:, position]
        hint = hint_for(tag.column)
        whole = bool(tag.kinds) and hint is not None and hint.role in _WHOLE_CELL_ROLES
        cells = list(series)
        texts = [None if _missing(cell) else _text(cell) for cell in cells]
        found = iter(detect_many([t for t in texts if t is not None], mode=mode, context=[tag.column]))
        masked: list[Any] = []
        changed = False
        for cell, text in zip(cells, texts, strict=True):
            findings = next(found) if text is not None else []
            if text is not None and whole and text.strip():
                masked.append(
                    _mask_cell(
                        text,
                        findings,
                        tag.kinds,
                        operator,
                        key=key,
                        days=days,
                        birth=_birth_column(tag.column),
                    )
                )
            elif text is not None and findings:
                masked.append(apply(text, findings, operator, key=key, days=days)[0])
            else:
                masked.append(cell)
                continue
            changed = True
        columns.append(pd.Series(masked, index=frame.index, dtype=object) if changed else series.copy())
    result = pd.concat(columns, axis=1)
    result.columns = frame.columns
    return result


def _mask_cell(
    text: str,
    findings: list[Finding],
    kinds: tuple[IdentifierKind, ...],
    operator: Operator,
    *,
    key: bytes | None,
    days: int | None,
    birth: bool = False,
) -> str:
    """A whole cell of an identifier column, masked as the kind a finding covering it says (else the column's).

    In a birth-date column (`birth`) a date is masked as the text operators mask a birth date: the
    finding is given the engine's ``birth_date`` recognizer, so `operators.replacement` applies its
    90+ rule (a person 90 or older gets ``90+`` under ``shift`` and ``generalize``, never a date).
    """
    from workbench.detect.engine import BIRTH_DATE
    from workbench.detect.finding import Finding
    from workbench.detect.operators import replacement
    from workbench.kinds import IdentifierKind
    from workbench.safe_harbor import AGE_TOP_LABEL

    value = text.strip()
    start = len(text) - len(text.lstrip())
    covering = [f.kind for f in findings if f.start <= start and f.end >= start + len(value)]
    kind = covering[0] if covering else kinds[0]
    recognizer = BIRTH_DATE if birth and kind == IdentifierKind.DATE else "column"
    finding = Finding(kind, 0, len(value), 1.0, recognizer)
    if operator == "generalize":
        if recognizer == BIRTH_DATE and replacement(finding, value, operator) == AGE_TOP_LABEL:
            return AGE_TOP_LABEL
        return _generalize_cell(kind, value)
    return replacement(finding, value, operator, key=key, days=days)


# Column names (squashed) that hold a birth date or birth year: "dob", "BIRTHDATE", "date_of_birth".
_BIRTH_COLUMN = re.compile(r"(?:.*birth(?!place).*|dob|.*dob|yob|born.*)")


def _birth_column(column: object) -> bool:
    """True when the column name says it holds birth dates (not a birthplace)."""
    from workbench.detect.column_hints import squash

    name = squash(_label(column))
    return bool(_BIRTH_COLUMN.fullmatch(name)) and "placeofbirth" not in name


def _generalize_cell(kind: IdentifierKind, value: str) -> str:
    """Safe Harbor on a whole cell: an age over 89 or a date at least 90 calendar years ago -> ``90+``
    (as the SQL masks do), another date -> its year, a ZIP (also one read as a number) -> ZIP-3."""
    from workbench.detect.operators import generalize
    from workbench.kinds import IdentifierKind
    from workbench.safe_harbor import AGE_TOP_CODE, AGE_TOP_LABEL, top_coded_age, zip3

    if kind == IdentifierKind.DATE:
        if value.isdigit() and len(value) <= 3:
            return top_coded_age(int(value))
        year = _YEAR.search(value)
        if year is None:
            return kind.token
        return AGE_TOP_LABEL if date.today().year - int(year.group(1)) >= AGE_TOP_CODE else year.group(1)
    if kind == IdentifierKind.GEO and _ZIP_DIGITS.fullmatch(value):
        return zip3(value)
    return generalize(kind, value)
