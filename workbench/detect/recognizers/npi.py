"""National Provider Identifiers: 10 digits starting 1 or 2, Luhn-checked over the 80840 prefix.

Kind LICENSE (Safe Harbor (K)): when an NPI sits in patient data it identifies a licensed person.
Ten Luhn-valid digits are common by chance, so an NPI needs a context word to count. After an "NPI"
label a number that fails the check is still an identifier (a typo, a made-up test NPI): the
`labelled_id` recognizer (`other_id`) reports it as `OTHER_ID`, at a lower score than a checked NPI.
"""

from __future__ import annotations

from workbench.detect.recognizer import DIGIT_RUN, Pattern, Recognizer
from workbench.kinds import IdentifierKind


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def reject(text: str) -> bool:
    """True unless ten digits starting 1 or 2 that pass the Luhn check over ``80840`` + the digits."""
    return len(text) != 10 or text[0] not in "12" or not _luhn_valid("80840" + text)


NPI = Recognizer(
    name="npi",
    kind=IdentifierKind.LICENSE,
    patterns=(Pattern("npi", DIGIT_RUN, 0.2),),
    context=("npi", "provider", "prescriber", "national", "npis"),
    reject=reject,
)
