"""Vehicle identification numbers: 17 characters without I, O or Q, with a valid check digit (position 9)."""

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
    patterns=(Pattern("vin", token_start("[A-HJ-NPR-Z0-9]") + r"[A-HJ-NPR-Z0-9]{16}(?![0-9A-Za-z])", 0.6),),
    context=("vin", "vehicle", "car", "auto", "chassis"),
    reject=reject,
)
