"""DEA registration numbers (Safe Harbor (K), a certificate number): two letters, seven digits, a check digit.

The first letter is the registrant type; the seventh digit is (d1 + d3 + d5 + 2 (d2 + d4 + d6)) mod 10.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind


def reject(text: str) -> bool:
    """True when the check digit is wrong or the digits are all one."""
    d = [int(char) for char in text[2:]]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 != d[6] or len(set(d)) == 1


DEA = Recognizer(
    name="dea",
    kind=IdentifierKind.LICENSE,
    patterns=(
        Pattern("dea", token_start("[ABCDEFGHJKLMPRSTUX]", r"[\w-]") + r"[A-Z9][0-9]{7}(?![\w-])", 0.5),
    ),
    context=("dea", "registration", "prescriber", "prescriptions", "controlled", "schedule"),
    reject=reject,
)
