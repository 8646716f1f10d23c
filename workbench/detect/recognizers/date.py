"""Dates: ISO dates and timestamps, numeric m/d/y (or d/m/y), and dates with month names.

Safe Harbor (C) covers every element of a date except the year, so a year alone ("2019") is not a
date, while a month with a year ("March 2019") or a day ("May 5") is. Numbers that only look like
dates (blood pressure "128/74", impossible days) are not. Month names count in title case or
capitals ("March", "MAR"); lower-case month words ("may", "march") are too often verbs.
"""

from __future__ import annotations

import re
from datetime import date

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind

_MONTH_NAMES = (
    ("Jan", "January"),
    ("Feb", "February"),
    ("Mar", "March"),
    ("Apr", "April"),
    ("May",),
    ("Jun", "June"),
    ("Jul", "July"),
    ("Aug", "August"),
    ("Sep", "Sept", "September"),
    ("Oct", "October"),
    ("Nov", "November"),
    ("Dec", "December"),
)
_MONTH_NUMBER = {name.lower(): number for number, names in enumerate(_MONTH_NAMES, 1) for name in names}
_MONTH_SPELLINGS = sorted(
    {spelling for names in _MONTH_NAMES for name in names for spelling in (name, name.upper())},
    key=lambda spelling: (-len(spelling), spelling),
)
_MONTH = "(?:" + "|".join(_MONTH_SPELLINGS) + ")"
# Each spelling checks the word boundary after its first letter, so `re` can skip to [JFMASOND].
_MONTH_AT_WORD_START = (
    "(?:" + "|".join(token_start(spelling[0]) + spelling[1:] for spelling in _MONTH_SPELLINGS) + ")"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_TIME = (
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?(?:[ ]?Z|[ ]?[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return 1800 <= year <= 2200


# Fractions and scores that look like a month and day: half a tablet, pain 6/10.
_FRACTIONS = frozenset({"1/2", "1/3", "2/3", "1/4", "3/4"})


def reject(text: str) -> bool:
    """True when the text names an impossible date or time (month 13, February 30, 25:00), or a fraction."""
    if text in _FRACTIONS:
        return True
    numbers = [int(n) for n in re.findall(r"[0-9]+", text)]
    if re.fullmatch(r"[0-9]{1,2}(?:st|nd|rd|th|ST|ND|RD|TH)", text):  # "the 3rd": a day of the month
        return not 1 <= numbers[0] <= 31
    if re.fullmatch(r"[0-9]{1,2}/[0-9]{1,2}", text):  # "7/22": month and day
        return not _valid(2000, numbers[0], numbers[1])
    if re.fullmatch(r"[0-9]{1,2}/[0-9]{4}|[0-9]{4}-[0-9]{2}", text):  # "03/2021", "2021-03": month and year
        month, year = (numbers[0], numbers[1]) if "/" in text else (numbers[1], numbers[0])
        return not (1 <= month <= 12 and 1800 <= year <= 2200)
    month_word = re.search(r"[A-Za-z]{3,}", text)
    if month_word and month_word.group().lower() in _MONTH_NUMBER:
        month = _MONTH_NUMBER[month_word.group().lower()]
        days = [n for n in numbers if n <= 31]
        if not days and not [n for n in numbers if n > 31]:
            return True
        years = [n for n in numbers if n > 31]
        if years and not 1800 <= years[0] <= 2200:
            return True
        return bool(days) and not _valid(years[0] if years else 2000, month, days[0])
    if re.match(r"[0-9]{4}", text):  # ISO: year first
        year, month, day, *clock = numbers
        return not _valid(year, month, day) or (len(clock) >= 2 and (clock[0] > 23 or clock[1] > 59))
    first, second, year = numbers[:3]
    if year < 100:
        if "-" in text:  # "3-4-21" is as often a score or a range as a date
            return True
        year += 2000 if year < 50 else 1900
    return not (_valid(year, first, second) or _valid(year, second, first))


DATE = Recognizer(
    name="date",
    kind=IdentifierKind.DATE,
    patterns=(
        Pattern(
            "date_month_year",
            token_start("[0-9]", r"[\w./-]") + r"[0-9]?/(?:19|20)[0-9]{2}(?![\w/-]|[.,][0-9])",
            0.5,
        ),
        Pattern(
            "date_iso_month",
            token_start("[12]", r"[\w./-]") + r"[0-9]{3}-(?:0[1-9]|1[0-2])(?![\w/-]|[.,][0-9])",
            0.4,
        ),
        Pattern(
            "date_iso",
            token_start("[0-9]", r"[\w.:/-]")
            + r"[0-9]{3}([/-])[0-9]{2}\1[0-9]{2}"
            + _TIME
            + r"(?![\w:/+-]|\.[0-9])",
            0.7,
        ),
        Pattern(
            "date_numeric",
            token_start("[0-9]", r"[\w./-]")
            + r"[0-9]?([/-])[0-9]{1,2}\1(?:[0-9]{4}|[0-9]{2})(?![\w/-]|\.[0-9])",
            0.6,
        ),
        Pattern(
            "date_month_name",
            _MONTH_AT_WORD_START
            + r"\.?,?[ ]+(?:[0-9]{1,2}"
            + _ORDINAL
            + r"(?:,?[ ]+[0-9]{4})?|[0-9]{4})(?![\w:/]|[ ]*[0-9]|[.,][0-9])",
            0.6,
        ),
        Pattern(
            "date_month_day",
            token_start("[0-9]", r"[\w./-]")
            + "".join(
                f"(?<!{word} [0-9])" for word in ("pain", "PAIN", "Pain", "score", "SCORE", "rated", "RATED")
            )
            + r"[0-9]?/[0-9]{1,2}(?![\w/]|[.,][0-9]|-[0-9]|[ ]?(?i:tab|tabs|tablet|strength|of[ ]|x[ ]?[0-9]))",
            0.45,
        ),
        Pattern(
            "date_day_mon",
            token_start("[0-9]", r"[\w./-]") + r"[0-9]?-" + _MONTH + r"(?![\w-])",
            0.6,
        ),
        Pattern(
            "date_ordinal_day",
            r"(?<![\w-])(?i:on|since|until|till|by|from|before|after|of|starting|beginning|through)[ ]+(?i:the)[ ]+"
            r"(?P<day>[0-9]{1,2}(?:st|nd|rd|th|ST|ND|RD|TH))(?![\w])(?![ ]+(?i:of[ ]+(?:the|this|a|his|her)\b"
            r"|time|times|floor|dose|doses|day|week|grade|degree|percentile|line|cycle|round|trimester|attempt))",
            0.55,
            group="day",
        ),
        Pattern(
            "date_day_month_year",
            token_start("[0-9]", r"[\w.]")
            + r"[0-9]?"
            + _ORDINAL
            + r"[ -]+(?:of[ ]+)?"
            + _MONTH
            + r"\.?,?[ -]+[0-9]{4}(?![\w])",
            0.7,
        ),
    ),
    context=(
        "date",
        "dob",
        "on",
        "since",
        "until",
        "f/u",
        "born",
        "birth",
        "birthday",
        "died",
        "death",
        "deceased",
        "admitted",
        "discharged",
        "admission",
        "discharge",
        "seen",
        "visit",
        "dated",
        "dos",
    ),
    reject=reject,
)
