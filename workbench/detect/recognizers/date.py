"""Dates: ISO dates and timestamps, numeric m/d/y (or d/m/y), and dates with month names.

Safe Harbor (C) covers every element of a date except the year, so a year alone ("2019") is not a
date, while a month with a year ("March 2019") or a day ("May 5") is. Numbers that only look like
dates (blood pressure "128/74", impossible days) are not. Month names count in title case or
capitals ("March", "MAR"); lower-case month words ("may", "march") are too often verbs.

Also found: dotted dates ("03.04.2021", "1931.05.03"; with a two-digit year only after a date word
such as "D/C", "seen", "on"), compact ones ("03MAY2021", "3MAY21"; "20210503" after a date word),
"May '21", days before months ("4 March", "3rd of March") and dates in words ("MARCH FOURTH",
"twelve March twenty twenty-one"). A slash pair after a clinical scale or lab word ("Strength 4/5",
"Murmur 2/6", "Apgar 8/9", "Hgb 12/3", "Katz ADL 4/6") is a score, not a date (`slash_pair_is_a_score`).
A dashed date with a two-digit year ("05-03-31") is a date only after a date word ("DOB", "admitted",
"seen") and with a valid month and day ("12-34-56" is none); alone it is as often a score, a range
or a lab. A year after "Birthdate" is the birth year of someone 90 or older ("Birthdate 1931"), or
nothing.
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


_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = (
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
_ORDINAL_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_ORDINAL_TEENS = (
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
    "eighteenth", "nineteenth",
)  # fmt: skip
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_JOIN = r"[ -]"


def _alternatives(words: list[str]) -> str:
    return "(?:" + "|".join(sorted(words, key=lambda word: -len(word))) + ")"


_UNIT_WORD = _alternatives(list(_UNITS))
# A day of the month in words, cardinal or ordinal: "fourth", "twenty-first", "twelve", "thirty one".
_DAY_WORD = (
    "(?i:"
    + _alternatives(
        [f"twenty{_JOIN}{unit}" for unit in (*_UNITS, *_ORDINAL_UNITS)]
        + [f"thirty{_JOIN}(?:one|first)", "twentieth", "thirtieth", "twenty", "thirty"]
        + [*_UNITS, *_TEENS, *_ORDINAL_UNITS, *_ORDINAL_TEENS]
    )
    + ")"
)
_DAY_WORDS = [
    *(f"twenty{_JOIN}{unit}" for unit in (*_UNITS, *_ORDINAL_UNITS)),
    f"thirty{_JOIN}(?:one|first)",
    "twentieth",
    "thirtieth",
    "twenty",
    "thirty",
    *_UNITS,
    *_TEENS,
    *_ORDINAL_UNITS,
    *_ORDINAL_TEENS,
]
_FIRST_LETTERS = sorted({word[0] for word in _DAY_WORDS})
# The same words, written so that `re` can skip straight to their first letters: the letter, then
# the rest of a word that starts with it.
_DAY_WORD_AT_WORD_START = (
    token_start("[" + "".join(c + c.upper() for c in _FIRST_LETTERS) + "]", r"[\w-]")
    + "(?:"
    + "|".join(
        f"(?<=[{c}{c.upper()}])(?i:" + _alternatives([word[1:] for word in _DAY_WORDS if word[0] == c]) + ")"
        for c in _FIRST_LETTERS
    )
    + ")"
)
_TWO_DIGITS_WORD = _alternatives(
    [f"{ten}(?:{_JOIN}{_UNIT_WORD})?" for ten in _TENS] + list(_TEENS) + [f"oh{_JOIN}{_UNIT_WORD}"]
)
# A year in words: "nineteen thirty-one", "twenty twenty-one", "two thousand twenty", "nineteen oh five".
_YEAR_WORD = (
    f"(?i:(?:nineteen|twenty){_JOIN}(?:hundred|{_TWO_DIGITS_WORD})"
    f"|two{_JOIN}thousand(?:(?:[ ]and)?{_JOIN}(?:{_TWO_DIGITS_WORD}|{_UNIT_WORD}))?)"
)
_DAY_WORD_KEYWORDS = ("first", "second", "third", "one", "two", "three", "four", "fif", "six", "seven",
                      "eigh", "nin", "ten", "eleven", "twel", "twenty", "thirty")  # fmt: skip
# Words after "4 MAY" that make "may" a verb: "2 MAY NEED", "PT 2 may be".
_MAY_AS_VERB = (
    r"(?![ ]+(?i:be|have|need|not|take|require|benefit|use|help|go|cause|get|return|continue|call|also)\b)"
)


_AGE_TOP_CODE = 90  # Safe Harbor aggregates ages over 89 (and the birth years that give them)


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
    if not any(char.isdigit() for char in text):  # "MARCH FOURTH": the pattern admits valid days only
        return False
    if "'" in text or "\u2019" in text:  # "May '21": a month and a two-digit year
        return False
    if re.fullmatch(r"[0-9]{8}", text):  # "20210503"
        return not _valid(int(text[:4]), int(text[4:6]), int(text[6:]))
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
    if re.fullmatch(r"[0-9]{4}", text):  # "Birthdate 1931": a birth year, PHI only when the person is 90+
        return date.today().year - int(text) < _AGE_TOP_CODE
    if re.match(r"[0-9]{4}", text):  # ISO (or dotted): year first
        year, month, day, *clock = numbers
        return not _valid(year, month, day) or (len(clock) >= 2 and (clock[0] > 23 or clock[1] > 59))
    first, second, year = numbers[:3]
    if year < 100:  # "3-4-21" is as often a score or a range as a date: its pattern needs a date word
        year += 2000 if year < 50 else 1900
    return not (_valid(year, first, second) or _valid(year, second, first))


# Scales, grades and labs whose values are written as a slash pair: "Strength 4/5", "Murmur 2/6".
_SCALE_WORDS = frozenset(
    (
        "adl", "adls", "iadl", "iadls", "katz", "apgar", "ashworth", "braden", "cam", "cog", "epworth", "fim", "gad", "gcs", "grade", "graded", "hb",
        "hct", "hgb", "mmse", "moca", "morse", "motor", "murmur", "nihss", "phq", "power", "pulses", "rass",
        "reflexes", "score", "scored", "scale", "strength", "tanner", "dtr", "dtrs", "mrc", "sats",
    )
)  # fmt: skip
_DATE_WORDS = frozenset(
    (
        "on", "since", "until", "seen", "visit", "dated", "date", "admitted", "discharged", "dos", "due",
        "appt", "appointment", "follow", "f/u", "fu",
    )
)  # fmt: skip
_CLAUSE_WINDOW = 40  # characters before a slash pair searched for a scale word
_CLAUSE_START = re.compile(r".*[.;\n]", re.DOTALL)


def slash_pair_is_a_score(text: str, start: int) -> bool:
    """True when the slash pair at `start` ("4/5") follows a scale or lab word in its clause, with no date word.

    The reject hook sees only the match, so the scanner asks this for month-day matches.
    """
    window = text[max(0, start - _CLAUSE_WINDOW) : start]
    if clause := _CLAUSE_START.match(window):
        window = window[clause.end() :]
    words = re.findall(r"[a-z/]+", window.lower().replace("-", ""))
    if any(word in _DATE_WORDS for word in words[-2:]):
        return False
    return any(word.strip("/") in _SCALE_WORDS or word.startswith("minicog") for word in words)


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
            + r"[0-9]{3}([/.-])[0-9]{2}\1[0-9]{2}"
            + _TIME
            + r"(?![\w:/+-]|\.[0-9])",
            0.7,
        ),
        Pattern(
            "date_numeric",
            token_start("[0-9]", r"[\w./-]")
            + r"[0-9]?(?:/[0-9]{1,2}/(?:[0-9]{4}|[0-9]{2})|-[0-9]{1,2}-[0-9]{4})(?![\w/-]|\.[0-9])",
            0.6,
        ),
        Pattern(  # "05-03-31": as often a score, a range or a lab as a date, so only after a date word
            "date_dashed_short",
            token_start("[0-9]", r"[\w./-]") + r"[0-9]?-[0-9]{1,2}-[0-9]{2}(?![\w/-]|\.[0-9])",
            0.2,
        ),
        Pattern(  # "Birthdate 1931": a year alone is no date, but the birth year of someone 90 or older is
            "date_birth_year",
            r"(?<![\w])(?i:birth[ ]?date|birthday)(?:[ ]*:)?[ ]*(?P<year>1[89][0-9]{2})(?![\w/.-]|[.,][0-9])",
            0.7,
            group="year",
            keywords=("birth",),
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
            r"|(?:of[ ]+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
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
        Pattern(
            "date_dotted",
            token_start("[0-9]", r"[\w./-]") + r"[0-9]?\.[0-9]{1,2}\.(?:19|20)[0-9]{2}(?![\w/-]|[.,][0-9])",
            0.5,
        ),
        Pattern(  # "3.4.21": as often a version or a list number as a date, so only after a date word
            "date_dotted_short",
            token_start("[0-9]", r"[\w./-]") + r"[0-9]?\.[0-9]{1,2}\.[0-9]{2}(?![\w/-]|[.,][0-9])",
            0.2,
        ),
        Pattern(  # "20210503": eight digits are as often an identifier, so only after a date word
            "date_compact",
            token_start("[12]", r"[\w./-]")
            + r"[0-9]{3}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?![\w/-]|[.,][0-9])",
            0.2,
        ),
        Pattern(
            "date_day_mon_year_compact",
            token_start("[0-9]", r"[\w./-]") + r"[0-9]?" + _MONTH + r"(?:[0-9]{4}|[0-9]{2})(?![\w])",
            0.6,
        ),
        Pattern(
            "date_month_apostrophe_year",
            _MONTH_AT_WORD_START + r"\.?[ ]*['\u2019][0-9]{2}(?![\w'\u2019])",
            0.5,
        ),
        Pattern(
            "date_day_month",
            token_start("[0-9]", r"[\w.,/-]")
            + r"[0-9]?"
            + _ORDINAL
            + r"[ ]+(?:of[ ]+)?"
            + _MONTH
            + r"(?![\w])"
            + _MAY_AS_VERB,
            0.5,
        ),
        Pattern(
            "date_month_day_words",
            _MONTH_AT_WORD_START
            + r"[ ]+(?i:the[ ]+)?"
            + _DAY_WORD
            + r"(?:,?[ ]+"
            + _YEAR_WORD
            + r")?(?![\w-])",
            0.5,
            keywords=_DAY_WORD_KEYWORDS,
        ),
        Pattern(
            "date_day_words_month",
            _DAY_WORD_AT_WORD_START
            + r"[ ]+(?i:of[ ]+)?"
            + _MONTH
            + r"(?:,?[ ]+(?:[0-9]{4}|"
            + _YEAR_WORD
            + r"))?(?![\w-])"
            + _MAY_AS_VERB,
            0.5,
            keywords=_DAY_WORD_KEYWORDS,
        ),
    ),
    context=(
        "date",
        "dob",
        "b",  # "D.O.B. 05-03-31", "b. 05-03-31": the scan reads words as letter runs
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
        "dc",
        "c",
        "admit",
        "adm",
        "surgery",
        "sx",
        "onset",
    ),
    reject=reject,
)
