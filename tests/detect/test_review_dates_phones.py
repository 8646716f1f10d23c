"""Review findings on dates, ages, phones, odd characters and masking, as (input, expected) tables.

Every value is synthetic: documentation-range phone numbers (555-01xx), made-up names and dates.
Each table has rows that must be found and at least five rows that must not.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from workbench.detect.engine import MAX_NAME_CHARS, clean, detect, junk_spans
from workbench.detect.finding import Finding
from workbench.detect.operators import apply, generalize
from workbench.kinds import IdentifierKind as K

TODAY = date(2025, 6, 1)  # the reference date for ages, so that the rows do not age


def _found(text: str | bytes, mode: str = "fast") -> list[tuple[str, K]]:
    cleaned = clean(text)
    return [(cleaned[f.start : f.end], f.kind) for f in detect(text, mode=mode, today=TODAY)]  # type: ignore[arg-type]


def _masked(text: str, operator: str, days: int | None = None) -> str:
    findings = detect(text, mode="fast", today=TODAY)
    return apply(text, findings, operator, days=days, today=TODAY)[0]  # type: ignore[arg-type]


# 1. Birth dates and birth years of people 90 or older become 90+ (Safe Harbor aggregates the year).
BIRTH_GENERALIZED = [
    ("DOB 1931-05-03", "DOB 90+"),
    ("DOB 31/12/1931", "DOB 90+"),
    ("DOB 1931.05.03", "DOB 90+"),
    ("Date of birth: March 3, 1930", "Date of birth: 90+"),
    ("born in 1929", "born in 90+"),
    ("DOB: 1931", "DOB: 90+"),
    ("b. 1920, widowed", "b. 90+, widowed"),
    # not 90 on the reference date, or not a birth date: the year stays
    ("DOB 1980-05-03", "DOB 1980"),
    ("DOB 1935-12-31", "DOB 1935"),  # 89 on 2025-06-01
    ("seen 1931-05-03 in clinic", "seen 1931 in clinic"),
    ("born in 1980", "born in 1980"),
    ("in 1929 the clinic opened", "in 1929 the clinic opened"),
    ("married in 1950", "married in 1950"),
    ("discharged 2021-03-04", "discharged 2021"),
]


@pytest.mark.parametrize(("text", "expected"), BIRTH_GENERALIZED)
def test_generalize_aggregates_birth_years_of_people_over_89(text: str, expected: str) -> None:
    assert _masked(text, "generalize") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DOB 1931-05-03", "DOB 90+"),
        ("DOB 1980-05-03", "DOB 1980-06-12"),
        ("born in 1929", "born in 90+"),
        ("Pt is ninety-two years old", "Pt is 90+ years old"),
        ("seen 2021-05-03", "seen 2021-06-12"),
    ],
)
def test_shift_never_reveals_a_birth_year_over_89(text: str, expected: str) -> None:
    assert _masked(text, "shift", days=40) == expected


# 2. A few odd characters never switch off names.
ODD_CHARACTERS = [
    (
        b"Pt\x92s wife Maria Gonzalez called 617-555-0101; pt\x92s son Miguel to visit on 3/4/2021.",
        ["Maria Gonzalez", "Miguel"],
    ),
    (
        b"Pt\x92s wife Maria Gonzalez called 617-555-0101".decode("utf-8", errors="replace"),
        ["Maria Gonzalez"],
    ),
    ("Pt\x0cs wife Maria Gonzalez called", ["Maria Gonzalez"]),
    ("page 1\x0c\x0bwife Maria Gonzalez called", ["Maria Gonzalez"]),
    ("wife Maria Gonzalez\x00 called", ["Maria Gonzalez"]),
    (b"R\xe9sum\xe9: wife Maria Gonzalez called", ["Maria Gonzalez"]),
    ("Mr. O\x92Brien called", ["O\x92Brien"]),
    (b"Mr. O\x92Brien called", ["O\ufffdBrien"]),
    # no names in junk, nor in text without any
    (bytes(random.Random(7).getrandbits(8) for _ in range(20_000)), []),
    ("\x00\x01\x02\x03" * 500, []),
    ("\ufffd" * 3000, []),
    ("stable overnight\x0c no events", []),
    ("\x0c\x0b\x0c", []),
]


@pytest.mark.parametrize(("text", "names"), ODD_CHARACTERS)
def test_odd_characters_do_not_switch_off_names(text: str | bytes, names: list[str]) -> None:
    assert [span for span, kind in _found(text) if kind == K.NAME] == names


@pytest.mark.parametrize(
    ("text", "binary"),
    [
        ("\x00\x01\ufffd\x02" * 300, True),
        ("note " * 200 + "\ufffd\x00" * 600 + " note" * 200, True),
        ("Pt\x92s wife", False),
        ("O\x92Brien", False),
        ("page\x0cbreak\x0bhere", False),
        ("plain text " * 100, False),
        ("R\ufffdsum\ufffd: wife Maria Gonzalez called", False),
        ("", False),
    ],
)
def test_only_mostly_junk_windows_are_binary(text: str, binary: bool) -> None:
    assert bool(junk_spans(text)) is binary


def test_text_around_a_binary_stretch_keeps_its_names_and_the_stretch_its_patterns() -> None:
    text = (
        "wife Maria Gonzalez called. "
        + "stable overnight. " * 30
        + "\x00\ufffd\x01" * 400
        + " SSN 999-17-5017 "
        + "\x02\ufffd" * 400
    )
    assert _found(text) == [("Maria Gonzalez", K.NAME), ("999-17-5017", K.SSN)]


# 3. Masking: overlaps merged, weekdays moved with their date, ZIP-3.
@pytest.mark.parametrize(
    ("findings", "operator", "expected"),
    [
        ([(K.NAME, 0, 10, 0.9), (K.SSN, 5, 20, 0.9)], "replace", "[NAME]"),
        ([(K.NAME, 0, 10, 0.5), (K.SSN, 5, 20, 0.9)], "replace", "[SSN]"),
        ([(K.NAME, 0, 10, 0.9), (K.SSN, 5, 12, 0.9), (K.DATE, 11, 15, 0.9)], "redact", "FGHIJ"),
        ([(K.NAME, 2, 4, 0.9), (K.SSN, 0, 20, 0.9)], "replace", "[SSN]"),
        # touching or apart: masked one by one
        ([(K.NAME, 0, 10, 0.9), (K.SSN, 10, 20, 0.9)], "replace", "[NAME][SSN]"),
        ([(K.NAME, 0, 5, 0.9), (K.SSN, 15, 20, 0.9)], "replace", "[NAME]56789ABCDE[SSN]"),
        ([(K.NAME, 0, 5, 0.9)], "replace", "[NAME]56789ABCDEFGHIJ"),
        ([], "replace", "0123456789ABCDEFGHIJ"),
        ([(K.SSN, 19, 20, 0.9)], "redact", "0123456789ABCDEFGHI"),
    ],
)
def test_overlapping_findings_are_masked_as_one_span(
    findings: list[tuple[K, int, int, float]], operator: str, expected: str
) -> None:
    text = "0123456789ABCDEFGHIJ"
    masked, counts = apply(text, [Finding(k, s, e, score, "t") for k, s, e, score in findings], operator)  # type: ignore[arg-type]
    assert masked == expected
    assert sum(counts.values()) == expected.count("[") or operator == "redact"


def test_merged_spans_count_once() -> None:
    findings = [Finding(K.NAME, 0, 10, 0.9, "t"), Finding(K.SSN, 5, 20, 0.9, "t")]
    assert apply("0123456789ABCDEFGHIJ", findings, "replace")[1] == Counter({K.NAME: 1})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tuesday, March 4th", "Sunday, April 13"),  # 40 days on: five weekdays later
        ("seen Tue 3/4/2021", "seen Sun 4/13/2021"),
        ("on 3/4/2021 (Thursday)", "on 4/13/2021 (Tuesday)"),
        ("MONDAY 2021-03-01", "SATURDAY 2021-04-10"),
        # no weekday next to the date: nothing else moves
        ("Tuesday clinic; seen 3/4/2021", "Tuesday clinic; seen 4/13/2021"),
        ("seen 3/4/2021 by the team", "seen 4/13/2021 by the team"),
        ("Monday", "Monday"),
        ("DOB 1931-05-03, Sunday", "DOB 90+, Sunday"),
        ("no date here", "no date here"),
    ],
)
def test_shift_moves_a_weekday_next_to_a_date(text: str, expected: str) -> None:
    findings = [f for f in detect(text, mode="fast", today=TODAY) if f.kind == K.DATE]
    assert apply(text, findings, "shift", days=40, today=TODAY)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("036", "000"),
        ("059", "000"),
        ("03601", "000"),
        ("021", "021"),
        ("02155", "021"),
        ("02155-1234", "021"),
        ("Main Street", "[GEO]"),
        ("0360", "[GEO]"),
        ("12", "[GEO]"),
    ],
)
def test_generalize_zip3(text: str, expected: str) -> None:
    assert generalize(K.GEO, text) == expected


# 4. Dates: (text, the span that must be a DATE)
DATES_FOUND = [
    ("D/C 03.04.2021", "03.04.2021"),
    ("D/C 3.4.21", "3.4.21"),
    ("admitted 20210503", "20210503"),
    ("seen 03MAY2021", "03MAY2021"),
    ("SEEN 3MAY21", "3MAY21"),
    ("4MAR2021", "4MAR2021"),
    ("Seen May '21", "May '21"),
    ("on 4 March", "4 March"),
    ("3rd of March", "3rd of March"),
    ("Admitted on the 3rd of May.", "3rd of May"),
    ("DOB 1931.05.03", "1931.05.03"),
    ("SX ON MARCH FOURTH", "MARCH FOURTH"),
    ("twelve March twenty twenty-one", "twelve March twenty twenty-one"),
    ("on the twenty-first of June", "twenty-first of June"),
    ("Pt is ninety-two years old", "ninety-two"),
    ("NINETY TWO YO", "NINETY TWO"),
    ("aged one hundred and one", "one hundred and one"),
    ("f/u 7/22", "7/22"),
    ("Strength 4/5; seen on 7/22", "7/22"),
    ("born in 1929", "1929"),
]
DATES_NOT_FOUND = [
    "Hgb 12/3",
    "Murmur 2/6",
    "Strength 4/5 in RUE, 3/5 in LUE",
    "Epworth 12/24",
    "Mini-Cog 3/5",
    "Apgar 8/9",
    "pH 7.36",
    "version 3.4.21",
    "Hgb 12.3",
    "ABG 7.36/42/91",
    "MRN 20210503",
    "PT 2 MAY NEED HELP",
    "Pt may be seen",
    "eighty-two years old",
    "take one tablet",
    "born in 1980",
    "in 1929",
]


@pytest.mark.parametrize(("text", "span"), DATES_FOUND)
def test_dates_found(text: str, span: str) -> None:
    assert (span, K.DATE) in _found(text)


@pytest.mark.parametrize("text", DATES_NOT_FOUND)
def test_not_dates(text: str) -> None:
    assert [kind for _span, kind in _found(text) if kind == K.DATE] == []


# 5. Phones and faxes: (text, span, kind)
PHONES_FOUND = [
    ("617\u2013555\u20130199", "617\u2013555\u20130199", K.PHONE),
    ("call (617) 555\u20130199", "(617) 555\u20130199", K.PHONE),
    ("fax 617\u2013555\u20130199", "617\u2013555\u20130199", K.FAX),
    ("Call 555-0123", "555-0123", K.PHONE),
    ("Call 5550123", "5550123", K.PHONE),
    ("fx 617-555-0194", "617-555-0194", K.FAX),
    ("F: 617-555-0196", "617-555-0196", K.FAX),
    ("P: 617-555-0195 F: 617-555-0196", "617-555-0195", K.PHONE),
    ("P: 617-555-0195 F: 617-555-0196", "617-555-0196", K.FAX),
]
PHONES_NOT_FOUND = [
    "5550123",
    "Heparin 2000000 units, call if bleeding",
    "call 1550123",
    "call 5110123",
    "WBC 7.5, call 555.0",
    "617\u2013555",
    "BP 120/80, call MD",
    "dose 555\u20130123\u20139",
]


@pytest.mark.parametrize(("text", "span", "kind"), PHONES_FOUND)
def test_phones_found(text: str, span: str, kind: K) -> None:
    found = _found(text)
    assert (span, kind) in found
    assert len([s for s, _kind in found if s == span]) == 1  # one finding, not a phone and a fax


@pytest.mark.parametrize("text", PHONES_NOT_FOUND)
def test_not_phones(text: str) -> None:
    assert [kind for _span, kind in _found(text) if kind in (K.PHONE, K.FAX)] == []


# 6. The engine's own masking tokens are never findings.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("seen by Dr. [NAME] today", []),
        ("HIS WIFE [NAME] CALLED", []),
        ("[SSN] and [DATE] and [GEO]", []),
        ("ref h_0123456789abcdef ok", []),
        ("Dr. h_0123456789abcdef signed", []),
        ("seen by Dr. [NAME] and Dr. Okafor", [("Okafor", K.NAME)]),
        ("[NAME] 999-17-5017", [("999-17-5017", K.SSN)]),
    ],
)
@pytest.mark.parametrize("mode", ["fast", "default"])
def test_masking_tokens_are_not_findings(text: str, expected: list[tuple[str, K]], mode: str) -> None:
    assert _found(text, mode) == expected


def test_a_text_of_unknown_capitals_gets_no_giant_names() -> None:
    text = "ABCDE " * 20_000
    assert all(f.end - f.start <= MAX_NAME_CHARS for f in detect(text, mode="default"))
