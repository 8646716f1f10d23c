"""US Social Security numbers: 3-2-4 digits, dashes of any Unicode kind, SSA numbering rules.

Areas 900-999 were never issued to people, but test data (Synthea writes 999-xx-xxxx) and ITINs
use them, so they are still flagged: a value that looks like an SSN is treated as one.
"""

from __future__ import annotations

import re

from workbench.detect.recognizer import DIGIT_RUN, Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind

# ASCII hyphen-minus and the Unicode dashes that word processors substitute for it.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d-"  # hyphen last: literal in a class

# Published as SSNs in advertisements and wallets; the SSA voided them.
_VOIDED = frozenset({"078051120", "219099999"})


def reject(text: str) -> bool:
    """True unless nine digits that keep SSA rules: no area 000 or 666, group 00, serial 0000, one digit repeated."""
    digits = re.sub(r"[^0-9]", "", text)
    if len(digits) != 9:
        return True
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return (
        area in ("000", "666")
        or group == "00"
        or serial == "0000"
        or len(set(digits)) == 1
        or digits in _VOIDED
    )


SSN = Recognizer(
    name="ssn",
    kind=IdentifierKind.SSN,
    patterns=(
        Pattern(
            "ssn_separated",
            token_start("[0-9]", rf"[\w.{_DASHES}]")
            + rf"[0-9]{{2}}([ .{_DASHES}])[0-9]{{2}}\1[0-9]{{4}}(?![\w{_DASHES}]|\.[0-9])",
            0.5,
        ),
        Pattern("ssn_bare", DIGIT_RUN, 0.05),
    ),
    context=("ssn", "ssns", "social", "security", "ss", "ssa", "itin", "taxpayer"),
    reject=reject,
)
