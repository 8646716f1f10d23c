"""Masking operators as tables: what each one puts where a finding was, and what it must leave alone."""

from __future__ import annotations

from collections import Counter

import pytest

from workbench.detect.finding import Finding
from workbench.detect.operators import OPERATORS, apply, generalize, shift_date, shift_days
from workbench.keys import keyed_hash
from workbench.kinds import IdentifierKind as K
from workbench.safe_harbor import RESTRICTED_ZIP3, zip3

KEY = b"k" * 32
TEXT = "Mary Smith, 92 yo, seen 03/14/2021 at ZIP 03601; SSN 999-17-5017."


def _finding(kind: K, piece: str, recognizer: str = "t") -> Finding:
    start = TEXT.index(piece)
    return Finding(kind, start, start + len(piece), 0.9, recognizer)


FINDINGS = [
    _finding(K.NAME, "Mary Smith"),
    _finding(K.DATE, "92"),
    _finding(K.DATE, "03/14/2021"),
    _finding(K.GEO, "03601"),
    _finding(K.SSN, "999-17-5017"),
]


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("replace", "[NAME], [DATE] yo, seen [DATE] at ZIP [GEO]; SSN [SSN]."),
        ("redact", ",  yo, seen  at ZIP ; SSN ."),
        ("generalize", "[NAME], 90+ yo, seen 2021 at ZIP 000; SSN [SSN]."),  # 036 is a restricted ZIP-3
        ("shift", "[NAME], 90+ yo, seen 04/23/2021 at ZIP [GEO]; SSN [SSN]."),
        (
            "hash",
            f"{keyed_hash(KEY, 'Mary Smith')}, {keyed_hash(KEY, '92')} yo, seen {keyed_hash(KEY, '03/14/2021')} "
            f"at ZIP {keyed_hash(KEY, '03601')}; SSN {keyed_hash(KEY, '999-17-5017')}.",
        ),
    ],
)
def test_operators(operator: str, expected: str) -> None:
    masked, counts = apply(TEXT, FINDINGS, operator, key=KEY, days=40)  # type: ignore[arg-type]
    assert masked == expected
    assert counts == Counter({K.NAME: 1, K.DATE: 2, K.GEO: 1, K.SSN: 1})
    for secret in ("Mary", "Smith", "999-17-5017", "03/14"):
        assert secret not in masked


def test_only_the_chosen_kinds_are_masked_and_overlaps_are_merged() -> None:
    overlapping = [*FINDINGS, Finding(K.OTHER_ID, 0, 4, 0.5, "t")]
    masked, counts = apply(TEXT, overlapping, "replace", kinds={K.SSN, K.NAME})
    assert masked == "[NAME], 92 yo, seen 03/14/2021 at ZIP 03601; SSN [SSN]."
    assert counts == Counter({K.NAME: 1, K.SSN: 1})
    assert apply("", [], "replace") == ("", Counter())


@pytest.mark.parametrize(
    ("operator", "key", "days"),
    [("hash", None, None), ("shift", None, None), ("scramble", KEY, 1)],
)
def test_operators_refuse_missing_inputs(operator: str, key: bytes | None, days: int | None) -> None:
    with pytest.raises(ValueError):
        apply(TEXT, FINDINGS, operator, key=key, days=days)  # type: ignore[arg-type]


# (date as written, shifted by 40 days); None where the text is no readable date
SHIFTS = [
    ("2021-03-14", "2021-04-23"),
    ("2023-01-27T16:17:47Z", "2023-03-08T16:17:47Z"),
    ("03/14/2021", "04/23/2021"),
    ("3/14/21", "4/23/21"),
    ("7/22", "8/31"),
    ("22-Jul", "31-Aug"),
    ("29-SEP", "8-NOV"),
    ("March 5, 2019", "April 14, 2019"),
    ("Sep 3", "Oct 13"),
    ("27 Jan 2023", "8 Mar 2023"),
    ("11TH", None),
    ("2/30/2021", None),
    ("13/45", None),
    ("Smarch 5", None),
    ("yesterday", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "shifted"), SHIFTS)
def test_shift_date_keeps_the_format(text: str, shifted: str | None) -> None:
    assert shift_date(text, 40) == shifted


def test_shift_days_is_stable_per_patient_never_zero_and_bounded() -> None:
    days = {patient: shift_days(KEY, patient) for patient in (f"p{n}" for n in range(500))}
    assert days == {patient: shift_days(KEY, patient) for patient in days}
    assert all(value != 0 and -365 <= value <= 365 for value in days.values())
    assert len(set(days.values())) > 100
    assert shift_days(KEY, "p1") != shift_days(b"x" * 32, "p1") or shift_days(KEY, "p2") != shift_days(
        b"x" * 32, "p2"
    )


@pytest.mark.parametrize(
    ("kind", "text", "general"),
    [
        (K.DATE, "March 5, 2019", "2019"),
        (K.DATE, "2019-03-05T10:00:00Z", "2019"),
        (K.DATE, "7/22", "[DATE]"),
        (K.DATE, "92", "90+"),
        (K.DATE, "101", "90+"),
        (K.GEO, "02155", "021"),
        (K.GEO, "02155-1234", "021"),
        (K.GEO, "03601", "000"),
        (K.GEO, "Boston", "[GEO]"),
        (K.GEO, "784 Stamm Lock", "[GEO]"),
        (K.NAME, "Mary", "[NAME]"),
        (K.SSN, "999-17-5017", "[SSN]"),
    ],
)
def test_generalize(kind: K, text: str, general: str) -> None:
    assert generalize(kind, text) == general


def test_every_restricted_zip3_becomes_000_as_in_sql() -> None:
    assert len(RESTRICTED_ZIP3) == 17
    assert all(zip3(area + "01") == "000" for area in RESTRICTED_ZIP3)
    assert [zip3(z) for z in ("02155", "2155", "90210-1234", "abc")] == ["021", "021", "902", "000"]


def test_operator_names() -> None:
    assert OPERATORS == ("redact", "replace", "hash", "shift", "generalize")
