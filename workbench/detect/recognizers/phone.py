"""US telephone and fax numbers (NANP): the same shapes, told apart by a "fax" label nearby.

Area code and exchange start with 2-9 and are never N11. A bare run of ten digits (the shared
`DIGIT_RUN` scan; the reject hook checks the length) scores low and needs a context word ("phone", a PHONE column) to count.
So does a seven-digit local number ("Call 5550123"). Groups may be split by any dash ("617–555–0199",
en dashes from word processors). "fx" and a lone "F:" label a fax number.
"""

from __future__ import annotations

import re

from workbench.detect.recognizer import DIGIT_RUN, Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind

_EXT = r"(?:[ ]?(?:x|ext\.?)[ ]?[0-9]{1,5})?"
_END = _EXT + r"(?![\w/]|[.\u2010-\u2015\u2212-][0-9])"
_AREA = r"[2-9][0-9]{2}"
_EXCHANGE = r"[2-9][0-9]{2}"
# The first digit is either the country code 1 (then a separator) or the area code's first digit.
_LEADING_DIGIT = token_start("[1-9]", r"[\w.+/\u2010-\u2015\u2212-]")
_SEPARATOR = r"[ .\u2010-\u2015\u2212-]"  # a space, a dot, or any dash (hyphen, en and em dash, minus)

PATTERNS = (
    Pattern(
        "phone_plus1",
        r"\+1[ .-]?(?:\(" + _AREA + r"\)|" + _AREA + r")[ .-]?" + _EXCHANGE + r"[ .-]?[0-9]{4}" + _END,
        0.7,
    ),
    Pattern(
        "phone_paren",
        token_start(r"\(", r"\w") + _AREA + r"\)[ ]?" + _EXCHANGE + _SEPARATOR + r"[0-9]{4}" + _END,
        0.7,
    ),
    Pattern(
        "phone_separated",
        _LEADING_DIGIT
        + r"(?:(?<=1)"
        + _SEPARATOR
        + _AREA
        + r"|(?<=[2-9])[0-9]{2})("
        + _SEPARATOR
        + ")"
        + _EXCHANGE
        + r"\1[0-9]{4}"
        + _END,
        0.5,
    ),
    Pattern(
        "phone_local",
        token_start("[2-9]", r"[\w.+/\u2010-\u2015\u2212-]")
        + r"[0-9]{2}[.\u2010-\u2015\u2212-]?[0-9]{4}(?![\w/]|[.,\u2010-\u2015\u2212-][0-9])",
        0.1,
    ),
    Pattern("phone_bare", DIGIT_RUN, 0.1),
)


def reject(text: str) -> bool:
    """True unless a NANP number: ten digits (or 1 and ten, or a local seven), exchange (and area code) 2-9XX, not N11."""
    number = re.split(r"[ ]?(?:x|ext)", text)[0]
    digits = re.sub(r"[^0-9]", "", number)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) == 7:  # a local number: every pattern that reaches it scores under the floor alone
        exchange = digits[:3]
        return exchange[0] in "01" or exchange[1:] == "11" or digits.endswith("000") or len(set(digits)) == 1
    if len(digits) != 10:
        return True
    area, exchange = digits[:3], digits[3:6]
    return (
        area[0] in "01"
        or exchange[0] in "01"
        or area[1:] == "11"
        or exchange[1:] == "11"
        or len(set(digits)) == 1
    )


PHONE = Recognizer(
    name="phone",
    kind=IdentifierKind.PHONE,
    patterns=PATTERNS,
    context=(
        "phone",
        "telephone",
        "tel",
        "ph",
        "cell",
        "mobile",
        "call",
        "callback",
        "caller",
        "pager",
        "contact",
        "home",
        "work",
        "number",
        "reached",
        "text",
    ),
    reject=reject,
)

FAX = Recognizer(
    name="fax",
    kind=IdentifierKind.FAX,
    patterns=PATTERNS,
    context=("fax", "faxes", "faxed", "faxing", "facsimile", "telefax", "efax", "fx", "f"),
    reject=reject,
    requires_context=True,
)
