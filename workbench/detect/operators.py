"""Masking operators for text: what to put where a `Finding` was.

| operator | a span becomes | e.g. |
|---|---|---|
| ``redact`` | nothing | ``Seen  on`` |
| ``replace`` | its kind's token | ``[NAME]`` |
| ``hash`` | a keyed hash of its text (`workbench.keys.keyed_hash`, ``h_`` + 16 hex) | ``h_3f9a…`` |
| ``shift`` | dates moved by the same number of days for the same patient, same format; other kinds replaced | ``03/14/2021`` -> ``05/02/2021`` |
| ``generalize`` | Safe Harbor's generalization: a date's year, ``90+`` for an age, a ZIP's ZIP-3 (``000`` for restricted areas); other kinds replaced | ``[DATE]`` -> ``2021`` |

These mirror presidio-anonymizer's operators (redact, replace, hash) and add the two that Safe Harbor
and longitudinal research need. The masking side imports no recognizer: it reads `Finding`s only,
and knows three recognizer names the engine gives: ``age_over_89`` (always ``90+``), and
``birth_date`` / ``birth_year`` (a date the text says is a birth date): when it makes the person 90 or
older on the reference date (`today`, default today), Safe Harbor aggregates the year too, so
``generalize`` and ``shift`` both write ``90+``.

Overlapping findings are merged into one masked span, of the kind of the surest one, so no character
of any finding stays in clear. ``shift`` moves a weekday written next to a shifted date with it
("Tuesday, March 4th" -> "Saturday, April 13").
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import date, timedelta
from typing import Literal, get_args

from workbench.detect.finding import Finding
from workbench.keys import keyed_hash
from workbench.kinds import IdentifierKind
from workbench.safe_harbor import AGE_TOP_CODE, AGE_TOP_LABEL, RESTRICTED_ZIP3, top_coded_age, zip3

Operator = Literal["redact", "replace", "hash", "shift", "generalize"]
OPERATORS: tuple[Operator, ...] = get_args(Operator)
MAX_SHIFT_DAYS = 365

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip
_MONTH_NUMBER = (
    {name.lower(): n for n, name in enumerate(_MONTHS, 1)}
    | {name.lower(): n for n, name in enumerate(_MONTH_NAMES, 1)}
    | {"sept": 9}
)
_ISO = re.compile(r"([0-9]{4})([-/])([0-9]{2})\2([0-9]{2})(.*)", re.DOTALL)
_NUMERIC = re.compile(r"([0-9]{1,2})([/-])([0-9]{1,2})(?:\2([0-9]{2}|[0-9]{4}))?")
_NAMED = re.compile(r"([A-Za-z]{3,9})\.?,?[ ]+([0-9]{1,2})(?:st|nd|rd|th|ST|ND|RD|TH)?(?:,?[ ]+([0-9]{4}))?")
_DAY_NAMED = re.compile(
    r"([0-9]{1,2})(?:st|nd|rd|th)?[ -]+(?:of[ ]+)?([A-Za-z]{3,9})\.?(?:,?[ -]+([0-9]{4}))?"
)
_YEAR = re.compile(r"(?<![0-9])(1[89][0-9]{2}|2[01][0-9]{2})(?![0-9])")
_ZIP = re.compile(r"[0-9]{5}(?:-[0-9]{4})?")
_ZIP3 = re.compile(r"[0-9]{3}")
_AGE_RECOGNIZER = "age_over_89"
_BIRTH_RECOGNIZERS = frozenset({"birth_date", "birth_year"})
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_NUMBER = (
    {name: n for n, name in enumerate(_WEEKDAYS)}
    | {name[:3]: n for n, name in enumerate(_WEEKDAYS)}
    | {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
)
_WEEKDAY_WORD = r"(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tues|weds|thurs|thur|mon|tue|wed|thu|fri|sat|sun)"
_WEEKDAY_BEFORE = re.compile(r"(?<![\w])(" + _WEEKDAY_WORD + r")\.?,?[ ]+(?:the[ ]+)?$")
_WEEKDAY_AFTER = re.compile(r"^,?[ ]+\(?(" + _WEEKDAY_WORD + r")(?![\w])")


def shift_days(key: bytes, patient: str, max_days: int = MAX_SHIFT_DAYS) -> int:
    """A stable shift in ``[-max_days, -1] ∪ [1, max_days]`` days for `patient`, derived from `key`."""
    digest = hmac.new(key, b"date-shift:" + patient.encode("utf-8"), hashlib.sha256).digest()
    value = int.from_bytes(digest[:8], "big") % (2 * max_days)
    return value - max_days if value < max_days else value - max_days + 1


def _month(word: str) -> int | None:
    return _MONTH_NUMBER.get(word.lower().rstrip("."))


def _shift_named(text: str, month: int, day: int, year: str | None, days: int) -> date | None:
    try:
        return date(int(year) if year else 2000, month, day) + timedelta(days=days)
    except ValueError:
        return None


def shift_date(text: str, days: int) -> str | None:
    """`text` (a date in a format the date recognizer finds) moved by `days`, in its own format; None if unreadable."""
    try:
        if match := _ISO.fullmatch(text):
            year, separator, month, day, rest = match.groups()
            moved = date(int(year), int(month), int(day)) + timedelta(days=days)
            return f"{moved.year:04d}{separator}{moved.month:02d}{separator}{moved.day:02d}{rest}"
        if match := _NUMERIC.fullmatch(text):
            first, separator, second, year = match.groups()
            full_year = (
                int(year) + (2000 if int(year) < 50 else 1900)
                if year and len(year) == 2
                else int(year or 2000)
            )
            moved = date(full_year, int(first), int(second)) + timedelta(days=days)
            width = 2 if len(first) == 2 else 1
            out = f"{moved.month:0{width}d}{separator}{moved.day:0{width}d}"
            if year:
                out += separator + (f"{moved.year % 100:02d}" if len(year) == 2 else f"{moved.year:04d}")
            return out
        if (match := _NAMED.fullmatch(text)) and (month := _month(match.group(1))):
            moved = date(int(match.group(3) or 2000), month, int(match.group(2))) + timedelta(days=days)
            name = _MONTH_NAMES[moved.month - 1] if len(match.group(1)) > 3 else _MONTHS[moved.month - 1]
            name = name.upper() if match.group(1).isupper() else name
            return f"{name} {moved.day}" + (f", {moved.year}" if match.group(3) else "")
        if (match := _DAY_NAMED.fullmatch(text)) and (month := _month(match.group(2))):
            moved = date(int(match.group(3) or 2000), month, int(match.group(1))) + timedelta(days=days)
            name = _MONTH_NAMES[moved.month - 1] if len(match.group(2)) > 3 else _MONTHS[moved.month - 1]
            name = name.upper() if match.group(2).isupper() else name
            separator = "-" if "-" in text else " "
            return f"{moved.day}{separator}{name}" + (f"{separator}{moved.year}" if match.group(3) else "")
    except ValueError:
        return None
    return None


def _month_day(text: str) -> tuple[int, int] | None:
    """The month and day of a date with a year (ISO, numeric either way round, or with a month name)."""
    numbers = [int(n) for n in re.findall(r"[0-9]+", text)]
    word = re.search(r"[A-Za-z]{3,}", text)
    if word and (month := _month(word.group())):
        days = [n for n in numbers if 1 <= n <= 31]
        return (month, days[0]) if days else None
    if len(numbers) >= 3:
        if numbers[0] > 31:  # year first
            return numbers[1], numbers[2]
        first, second = numbers[0], numbers[1]
        return (second, first) if first > 12 else (first, second)
    return None


def age_on(text: str, today: date) -> int | None:
    """The age on `today` of someone born on the date `text` (a year alone: the oldest they can be)."""
    year = _YEAR.search(text)
    if year is None:
        return None
    age = today.year - int(year.group(1))
    month_day = _month_day(text)
    if month_day is not None and month_day > (today.month, today.day):
        age -= 1
    return age


def _aggregated(finding: Finding | None, text: str, today: date | None) -> bool:
    """True when Safe Harbor wants ``90+`` for this date: an age over 89, or a birth date of someone 90 or older."""
    if finding is None or finding.kind != IdentifierKind.DATE:
        return False
    if finding.recognizer == _AGE_RECOGNIZER:
        return True
    if finding.recognizer in _BIRTH_RECOGNIZERS:
        age = age_on(text, today or date.today())
        return age is not None and age >= AGE_TOP_CODE
    return False


def generalize(
    kind: IdentifierKind, text: str, *, finding: Finding | None = None, today: date | None = None
) -> str:
    """Safe Harbor's generalization of one span: year, ``90+``, ZIP-3; the kind's token when there is none.

    `finding` tells a birth date (``90+`` when the person is 90 or older on `today`) from other dates.
    """
    if kind == IdentifierKind.DATE:
        if text.isdigit() and len(text) <= 3:  # an age over 89, written as digits only
            return top_coded_age(int(text))
        if _aggregated(finding, text, today):
            return AGE_TOP_LABEL
        year = _YEAR.search(text)
        return year.group(1) if year else kind.token
    if kind == IdentifierKind.GEO:
        if _ZIP.fullmatch(text.strip()):
            return zip3(text)
        if _ZIP3.fullmatch(text.strip()):  # already a ZIP-3: restricted areas still become 000
            return "000" if text.strip() in RESTRICTED_ZIP3 else text.strip()
    return kind.token


def replacement(
    finding: Finding,
    text: str,
    operator: Operator,
    *,
    key: bytes | None = None,
    days: int | None = None,
    today: date | None = None,
) -> str:
    """What `operator` puts in place of `text`, the span `finding` covers."""
    if operator == "redact":
        return ""
    if operator == "replace":
        return finding.kind.token
    if operator == "hash":
        if key is None:
            raise ValueError("the hash operator needs a key")
        return keyed_hash(key, text)
    if operator == "generalize":
        return generalize(finding.kind, text, finding=finding, today=today)
    if operator == "shift":
        if days is None:
            raise ValueError("the shift operator needs a number of days")
        if finding.kind == IdentifierKind.DATE:
            if text.isdigit() and len(text) <= 3:
                return top_coded_age(int(text))
            if _aggregated(finding, text, today):
                return AGE_TOP_LABEL
            return shift_date(text, days) or finding.kind.token
        return finding.kind.token
    raise ValueError(f"unknown operator {operator!r}; use one of {', '.join(OPERATORS)}")


def _merged(findings: Sequence[Finding], kinds: Collection[IdentifierKind] | None) -> list[Finding]:
    """Findings of `kinds`, each group of overlapping ones merged into its surest, stretched over the group."""
    chosen = sorted(
        (f for f in findings if kinds is None or f.kind in kinds), key=lambda f: (f.start, -f.end)
    )
    groups: list[list[Finding]] = []
    end = -1
    for finding in chosen:
        if groups and finding.start < end:
            groups[-1].append(finding)
            end = max(end, finding.end)
        else:
            groups.append([finding])
            end = finding.end
    merged = []
    for group in groups:
        best = max(group, key=lambda f: f.score)  # max keeps the first of equal scores
        start, stop = group[0].start, max(f.end for f in group)
        merged.append(Finding(best.kind, start, stop, best.score, best.recognizer))
    return merged


def _shift_weekday(text: str, start: int, end: int, days: int) -> tuple[int, int, str] | None:
    """A weekday written just before or after the date at ``[start, end)``, moved by `days`: (start, end, name)."""
    before = _WEEKDAY_BEFORE.search(text, max(0, start - 16), start)
    after = _WEEKDAY_AFTER.match(text[end : end + 16])
    if before:
        span, word = before.span(1), before.group(1)
    elif after:
        span, word = (end + after.start(1), end + after.end(1)), after.group(1)
    else:
        return None
    number = _WEEKDAY_NUMBER[word.lower()]
    name = _WEEKDAYS[(number + days) % 7]
    name = name if len(word) > 4 else name[:3]
    name = name.upper() if word.isupper() else name.capitalize() if word[0].isupper() else name
    return span[0], span[1], name


def apply(
    text: str,
    findings: Sequence[Finding],
    operator: Operator = "replace",
    *,
    kinds: Collection[IdentifierKind] | None = None,
    key: bytes | None = None,
    days: int | None = None,
    today: date | None = None,
) -> tuple[str, Counter[IdentifierKind]]:
    """`text` with each finding of `kinds` (all when None) replaced as `operator` says, and counts per kind.

    Overlapping findings are merged into one span, masked as the surest of them (the first on a tie),
    so that no character of any finding stays in clear; the merged span counts once. `today` is the
    reference date for birth dates (``90+``); `days` the shift.
    """
    if operator not in OPERATORS:
        raise ValueError(f"unknown operator {operator!r}; use one of {', '.join(OPERATORS)}")
    masked: Counter[IdentifierKind] = Counter()
    edits: list[tuple[int, int, str]] = []
    for finding in _merged(findings, kinds):
        piece = replacement(
            finding, text[finding.start : finding.end], operator, key=key, days=days, today=today
        )
        edits.append((finding.start, finding.end, piece))
        masked[finding.kind] += 1
        moved = piece not in (finding.kind.token, AGE_TOP_LABEL, text[finding.start : finding.end])
        if operator == "shift" and finding.kind == IdentifierKind.DATE and days and moved:
            weekday = _shift_weekday(text, finding.start, finding.end, days)
            if weekday is not None and all(weekday[1] <= s or weekday[0] >= e for s, e, _p in edits):
                edits.append(weekday)
    pieces: list[str] = []
    position = 0
    for start, end, piece in sorted(edits):
        if start < position:
            continue
        pieces += [text[position:start], piece]
        position = end
    pieces.append(text[position:])
    return "".join(pieces), masked
