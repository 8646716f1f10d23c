"""Telephone and fax numbers outside the North American plan: E.164 "+CC", "00" and national groupings.

- "+44 7700 900123", "+41 (0)96 471 07 95", "0044 20 7946 0958": a country code after "+" or the
  international prefix "00", then 8 to 15 digits in all (E.164's maximum is 15). "+1" numbers must
  also follow the North American plan (`phone.reject`).
- "0490 75 40 81", "03.93.92.16.85", "020 7946 0958": a national number with its trunk prefix 0,
  in groups of digits split by one kind of separator, 9 to 12 digits in all (10 in two groups;
  a ZIP+4 such as "02155-1234" is not a phone number).
- "699 956 915", "(37) 788-063", "60-56-85-91": other groupings of 7 to 12 digits count only after
  a telephone word ("Phone:", "call me on").

Clinical strings are not phone numbers: blood gases and pressures use "/" ("91/42/7.36/25/-1"),
doses and lab values have decimal points within a group, dates ("12 03 2020") and administration
times ("0800 1400 2000") are rejected by shape, and "+2 pitting edema" has too few digits.
"""

from __future__ import annotations

import re

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.detect.recognizers.phone import FAX, PHONE
from workbench.detect.recognizers.phone import reject as reject_nanp
from workbench.kinds import IdentifierKind

_EXT = r"(?:[ ]?(?:x|ext\.?)[ ]?[0-9]{1,5})?"
_END = _EXT + r"(?![\w/]|[.,-]?[0-9])"
_NOT_AFTER = r"[\w.,+/()-]"

PATTERNS = (
    Pattern(
        "phone_e164",
        token_start(r"\+", r"[\w+/]")
        + r"[1-9][0-9]{0,2}(?:[ .-]?\(0\))?(?:[ .-]?(?:\([0-9]{1,4}\)|[0-9]{1,5})){2,6}"
        + _END,
        0.7,
    ),
    Pattern(
        "phone_trunk",
        token_start("0", r"[\w.+/()-]") + r"[0-9]{1,4}([ .-])[0-9]{2,8}(?:\1[0-9]{2,5}){0,4}" + _END,
        0.4,
    ),
    Pattern(
        "phone_grouped",
        token_start(r"[(1-9]", _NOT_AFTER)
        + r"(?:(?<=\()[0-9]{1,4}\)[ ]?|(?<=[1-9])[0-9]{1,4}[ .-])[0-9]{2,6}(?:[ .-][0-9]{2,6}){0,3}"
        + _END,
        0.1,
    ),
)

_NUMBER = re.compile(r"[0-9]+")
_ZIP_PLUS_4 = re.compile(r"[0-9]{5}-[0-9]{4}")
_DATE = re.compile(r"(?:0?[1-9]|[12][0-9]|3[01])[ .-](?:0?[1-9]|[12][0-9]|3[01])[ .-](?:19|20)[0-9]{2}")


def _is_time(group: str) -> bool:
    return len(group) == 4 and int(group[:2]) <= 24 and int(group[2:]) < 60


def reject(text: str) -> bool:
    """True unless a plausible international or national number (see the module docstring)."""
    number = re.split(r"[ ]?(?:x|ext)", text)[0].strip()
    groups = _NUMBER.findall(number.replace("(0)", "", 1) if number.startswith("+") else number)
    digits = "".join(groups)
    if len(set(digits)) <= 1 or _DATE.fullmatch(number) or _ZIP_PLUS_4.fullmatch(number):
        return True
    if len(groups) > 1 and all(_is_time(group) for group in groups):
        return True  # "0800 1400 2000": administration times
    if number.startswith("+"):
        if digits.startswith("1"):
            return reject_nanp(number)
        return not 8 <= len(digits) <= 15
    if digits.startswith("00"):
        return not 10 <= len(digits) <= 17
    if digits.startswith("0"):
        return not (10 if len(groups) == 2 else 9) <= len(digits) <= 12
    return not 7 <= len(digits) <= 12


INTERNATIONAL_PHONE = Recognizer(
    name="phone_international",
    kind=IdentifierKind.PHONE,
    patterns=PATTERNS,
    context=(*PHONE.context, "mob", "tlf", "telefon", "telefono", "desk", "landline", "whatsapp"),
    reject=reject,
)

INTERNATIONAL_FAX = Recognizer(
    name="fax_international",
    kind=IdentifierKind.FAX,
    patterns=PATTERNS,
    context=FAX.context,
    reject=reject,
    requires_context=True,
)
