"""National Provider Identifiers: 10 digits starting 1 or 2, Luhn-checked over the 80840 prefix.

Kind LICENSE (Safe Harbor (K)): when an NPI sits in patient data it identifies a licensed person.
Ten Luhn-valid digits are common by chance, so an NPI needs a context word to count. After an "NPI"
label a number that fails the check is still an identifier (a typo, a made-up test NPI): the
`labelled_id` recognizer (`other_id`) reports it as `OTHER_ID`, at a lower score than a checked NPI.
"""

from __future__ import annotations

from workbench.detect.recognizer import DIGIT_RUN, Pattern, Recognizer, luhn_valid
from workbench.kinds import IdentifierKind


def reject(text: str) -> bool:
    """True unless ten digits starting 1 or 2 that pass the Luhn check over ``80840`` + the digits."""
    return len(text) != 10 or text[0] not in "12" or not luhn_valid("80840" + text)


NPI = Recognizer(
    name="npi",
    kind=IdentifierKind.LICENSE,
    patterns=(Pattern("npi", DIGIT_RUN, 0.2),),
    context=("npi", "provider", "prescriber", "national", "npis"),
    reject=reject,
)
