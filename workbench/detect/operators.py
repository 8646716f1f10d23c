"""Masking operators for text: what to put where a `Finding` was.

| operator | a span becomes | e.g. |
|---|---|---|
| ``redact`` | nothing | ``Seen  on`` |
| ``replace`` | its kind's token | ``[NAME]`` |
| ``hash`` | a keyed hash of its text (`workbench.keys.keyed_hash`, ``h_`` + 16 hex) | ``h_3f9a…`` |
| ``shift`` | dates moved by the same number of days for the same patient, same format; other kinds replaced | ``03/14/2021`` -> ``05/02/2021`` |
| ``generalize`` | Safe Harbor's generalization: a date's year, ``90+`` for an age, a ZIP's ZIP-3 (``000`` for restricted areas); other kinds replaced | ``[DATE]`` -> ``2021`` |

These mirror presidio-anonymizer's operators (redact, replace, hash) and add the two that Safe Harbor
and longitudinal research need. The masking side imports no recognizer: it reads `Finding`s only.
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
from workbench.safe_harbor import top_coded_age, zip3

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


def generalize(kind: IdentifierKind, text: str) -> str:
    """Safe Harbor's generalization of one span: year, ``90+``, ZIP-3; the kind's token when there is none."""
    if kind == IdentifierKind.DATE:
        if text.isdigit() and len(text) <= 3:  # an age over 89, written as digits only
            return top_coded_age(int(text))
        year = _YEAR.search(text)
        return year.group(1) if year else kind.token
    if kind == IdentifierKind.GEO and _ZIP.fullmatch(text.strip()):
        return zip3(text)
    return kind.token


def replacement(
    finding: Finding, text: str, operator: Operator, *, key: bytes | None = None, days: int | None = None
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
        return generalize(finding.kind, text)
    if operator == "shift":
        if days is None:
            raise ValueError("the shift operator needs a number of days")
        if finding.kind == IdentifierKind.DATE:
            if text.isdigit() and len(text) <= 3:
                return top_coded_age(int(text))
            return shift_date(text, days) or finding.kind.token
        return finding.kind.token
    raise ValueError(f"unknown operator {operator!r}; use one of {', '.join(OPERATORS)}")


def apply(
    text: str,
    findings: Sequence[Finding],
    operator: Operator = "replace",
    *,
    kinds: Collection[IdentifierKind] | None = None,
    key: bytes | None = None,
    days: int | None = None,
) -> tuple[str, Counter[IdentifierKind]]:
    """`text` with each finding of `kinds` (all when None) replaced as `operator` says, and counts per kind.

    Overlapping findings are merged: the earlier one wins and later ones inside it are skipped.
    """
    if operator not in OPERATORS:
        raise ValueError(f"unknown operator {operator!r}; use one of {', '.join(OPERATORS)}")
    masked: Counter[IdentifierKind] = Counter()
    pieces: list[str] = []
    position = 0
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if (kinds is not None and finding.kind not in kinds) or finding.start < position:
            continue
        pieces.append(text[position : finding.start])
        pieces.append(replacement(finding, text[finding.start : finding.end], operator, key=key, days=days))
        position = finding.end
        masked[finding.kind] += 1
    pieces.append(text[position:])
    return "".join(pieces), masked
