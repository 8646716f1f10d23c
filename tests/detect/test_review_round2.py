"""Second review round, as (input, expected) tables: dashed two-digit-year dates, encounter numbers,
whole-cell birth dates under ``shift``, Windows-1252 dashes, departments read as places, ADL scores
and "Birthdate YYYY".

Every value is synthetic: documentation-range phone numbers (555-01xx), made-up numbers and dates.
Each table has rows that must be found and at least five rows that must not.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from workbench.detect.engine import clean, detect
from workbench.jupyter.phi_scan import mask_frame
from workbench.kinds import IdentifierKind as K

TODAY = date(2025, 6, 1)


def _found(text: str | bytes) -> list[tuple[str, K]]:
    cleaned = clean(text)
    return [(cleaned[f.start : f.end], f.kind) for f in detect(text, mode="fast", today=TODAY)]


def _kinds(text: str | bytes, kind: K) -> list[str]:
    return [span for span, found in _found(text) if found == kind]


# 1. Dashed dates with a two-digit year: after a date, birth or visit word, with a valid month and day.
DASHED_SHORT = [
    ("DOB 05-03-31", ["05-03-31"]),
    ("admitted 05-03-21", ["05-03-21"]),
    ("D.O.B. 05-03-31", ["05-03-31"]),
    ("seen 12-31-20 in clinic", ["12-31-20"]),
    ("discharged on 3-4-21", ["3-4-21"]),
    # no date word, or no valid month and day: a score, a range, a lab
    ("12-34-56", []),
    ("DOB 12-34-56", []),
    ("05-03-31", []),
    ("scored 3-4-21", []),
    ("BP 12-10-11", []),
    ("reps 10-12-15 each set", []),
    ("admitted 13-32-21", []),
]


@pytest.mark.parametrize(("text", "expected"), DASHED_SHORT)
def test_dashed_dates_with_two_digit_years(text: str, expected: list[str]) -> None:
    assert _kinds(text, K.DATE) == expected


# 2. Encounter numbers are MRN-like record numbers (kind MRN, as mrn.py gives the FIN).
ENCOUNTER = [
    ("Encounter #: 99812234", ["99812234"]),
    ("Encounter number 99812234", ["99812234"]),
    ("CSN 123456789", ["123456789"]),
    ("CSN: 123456789", ["123456789"]),
    ("Visit #: 88123456", ["88123456"]),
    ("Admission #: 7712345", ["7712345"]),
    ("HAR 4412345", ["4412345"]),
    # everyday words without a number word, or numbers too short to be one
    ("Visit 2 of 6 completed", []),
    ("encounter 12345 minutes", []),
    ("HARD 12345", []),
    ("admission 2 days ago", []),
    ("visit #2", []),
    ("hard 4412345", []),
]


@pytest.mark.parametrize(("text", "expected"), ENCOUNTER)
def test_encounter_numbers(text: str, expected: list[str]) -> None:
    assert _kinds(text, K.MRN) == expected


def test_a_visit_date_stays_a_date() -> None:
    assert _found("visit 2021-03-04") == [("2021-03-04", K.DATE)]


# 3. A birth-date column under shift: 90+ for a person 90 or older, as the text operator writes.
BIRTH_COLUMN_SHIFT = [
    ("dob", "05/03/1931", "shift", "90+"),
    ("birth_date", "1931-05-03", "shift", "90+"),
    ("DateOfBirth", "05/03/1931", "generalize", "90+"),
    # younger people, or dates that are not birth dates: shifted as before
    ("dob", "05/03/1980", "shift", "05/04/1980"),
    ("birth_date", "1980-05-03", "shift", "1980-05-04"),
    ("admit_date", "05/03/1931", "shift", "05/04/1931"),
    ("discharge_date", "1931-05-03", "shift", "1931-05-04"),
    ("dob", "05/03/1980", "generalize", "1980"),
]


@pytest.mark.parametrize(("column", "cell", "operator", "expected"), BIRTH_COLUMN_SHIFT)
def test_whole_cell_birth_dates(column: str, cell: str, operator: str, expected: str) -> None:
    frame = pd.DataFrame({column: [cell]})
    masked = mask_frame(frame, operator, mode="fast", key=b"k" * 32, days=1)  # type: ignore[arg-type]
    assert masked.iloc[0, 0] == expected


# 4. Windows-1252 dashes and quotes, raw (bytes read as UTF-8) or as C1 code points.
CP1252 = [
    (b"508\x96555\x960123", K.PHONE, "508\ufffd555\ufffd0123"),
    ("508\x96555\x960123", K.PHONE, "508\x96555\x960123"),
    ("call 508\x97555\x970123", K.PHONE, "508\x97555\x970123"),
    (b"SSN 999\x9617\x965017", K.SSN, "999\ufffd17\ufffd5017"),
    (b"seen 3\x964\x962021", K.DATE, "3\ufffd4\ufffd2021"),
]


@pytest.mark.parametrize(("text", "kind", "span"), CP1252)
def test_windows_1252_dashes(text: str | bytes, kind: K, span: str) -> None:
    assert _kinds(text, kind) == [span]


@pytest.mark.parametrize(
    "text",
    [
        b"pain 6\x9610",  # a range, not a phone
        b"Pt\x92s dose 5\x9610 mg",
        b"\x93fine\x94 per pt",
        "\x93fine\x94 per pt",
        b"BP 120\x9680",
        b"ok \xff\xfe 12",
    ],
)
def test_windows_1252_punctuation_finds_nothing_else(text: str | bytes) -> None:
    assert [kind for _span, kind in _found(text) if kind in (K.PHONE, K.SSN, K.DATE)] == []


# 5. A clinical department after "from" is a service, not a place.
DEPARTMENTS = [
    "Referred from Cardiology.",
    "REFERRED FROM NEUROLOGY.",
    "Transferred from Oncology.",
    "Transferred from Pediatrics.",
    "Transferred from Rehab.",
    "Transferred from PACU.",
    "Admitted from Surgery, stable.",
    "Sent to Ortho.",
]


@pytest.mark.parametrize("text", DEPARTMENTS)
def test_departments_are_not_places(text: str) -> None:
    assert _kinds(text, K.GEO) == []


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Referred from Daisyhaven.", "Daisyhaven"),
        ("Transferred from Worcester.", "Worcester"),
        ("Lives in Fall River.", "Fall River"),
        ("FROM DAISYHAVEN W/ CP", "DAISYHAVEN"),
        ("moved to Little Rock AR 72201", "Little Rock"),
    ],
)
def test_places_after_a_preposition_are_still_places(text: str, place: str) -> None:
    assert place in _kinds(text, K.GEO)


# 6. ADL scores and "Birthdate YYYY".
ADL_AND_BIRTHDATE = [
    ("Birthdate 1931", ["1931"]),
    ("Birthdate: 1929", ["1929"]),
    ("birthdate 1930, widowed", ["1930"]),
    # scores and the birth years of people under 90: no date
    ("Katz ADL 4/6", []),
    ("ADL score 4/6", []),
    ("Katz 5/6", []),
    ("IADL 6/8 today", []),
    ("ADLs 3/6", []),
    ("Birthdate 1980", []),
    ("Birthdate 2001", []),
]


@pytest.mark.parametrize(("text", "expected"), ADL_AND_BIRTHDATE)
def test_adl_scores_and_birthdate_years(text: str, expected: list[str]) -> None:
    assert _kinds(text, K.DATE) == expected
