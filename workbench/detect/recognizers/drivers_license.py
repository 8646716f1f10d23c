"""US driver's licence numbers in the letter-and-eight-digits form (Massachusetts; Synthea writes S99999999).

State formats vary widely; other forms need the presidio engine's broader recognizers and context.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind

# A capital letter and eight digits; shared with next-generation US passports (one scan serves both).
LETTER_EIGHT_DIGITS = token_start("[A-Z]", r"[\w-]") + r"[0-9]{8}(?![\w-])"

DRIVERS_LICENSE = Recognizer(
    name="drivers_license",
    kind=IdentifierKind.LICENSE,
    patterns=(Pattern("drivers_license_letter_8", LETTER_EIGHT_DIGITS, 0.3),),
    context=("driver", "drivers", "license", "licence", "licensed", "dl", "dln", "lic", "dmv"),
)
