"""Passport numbers (Safe Harbor (K), a certificate number): Synthea's letter-8-digits-letter form, and US
forms that need a context word."""

from __future__ import annotations

from workbench.detect.recognizer import DIGIT_RUN, Pattern, Recognizer, token_start
from workbench.detect.recognizers.drivers_license import LETTER_EIGHT_DIGITS
from workbench.kinds import IdentifierKind


def reject(text: str) -> bool:
    """True for an all-digit number that is not nine digits long."""
    return text.isdigit() and len(text) != 9


PASSPORT = Recognizer(
    name="passport",
    kind=IdentifierKind.LICENSE,
    patterns=(
        Pattern("passport_letter_8_letter", token_start("[A-Z]", r"[\w-]") + r"[0-9]{8}[A-Z](?![\w-])", 0.4),
        Pattern("passport_letter_8", LETTER_EIGHT_DIGITS, 0.1),
        Pattern("passport_9_digits", DIGIT_RUN, 0.05),
    ),
    context=("passport", "passports", "travel"),
    reject=reject,
)
