"""Vehicle identification numbers: 17 characters without I, O or Q, with a valid check digit (position 9).

People type VINs in lower case too ("1hgcm82633a004352"); a VIN is all capitals or all lower case,
never mixed (a mixed-case run is a token or a blob). A code after a "VIN" label that fails the check
(a typo, a European VIN, which has no check digit) is still an identifier: `labelled_id` (`other_id`)
reports it as `OTHER_ID`, at a lower score than a checked VIN.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind

_TRANSLITERATION = dict(
    zip(
        "ABCDEFGHJKLMNPRSTUVWXYZ",
        (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9),
        strict=True,
    )
)
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def reject(text: str) -> bool:
    """True when the check digit is wrong, or the text is all digits or all letters."""
    text = text.upper()
    if text.isdigit() or text.isalpha():
        return True
    total = sum(
        (int(char) if char.isdigit() else _TRANSLITERATION[char]) * weight
        for char, weight in zip(text, _WEIGHTS, strict=True)
    )
    check = total % 11
    return text[8] != ("X" if check == 10 else str(check))


VIN = Recognizer(
    name="vin",
    kind=IdentifierKind.VEHICLE_ID,
    patterns=(
        Pattern(
            "vin",
            token_start("[A-HJ-NPR-Za-hj-npr-z0-9]")
            + r"(?:(?<![a-z])[A-HJ-NPR-Z0-9]{16}|(?<![A-Z])[a-hj-npr-z0-9]{16})(?![0-9A-Za-z])",
            0.6,
        ),
    ),
    context=("vin", "vehicle", "car", "auto", "chassis"),
    reject=reject,
)
