"""Payment card numbers (Safe Harbor (J), account numbers): by their shape and the Luhn check, or by a label.

- Unlabelled: 13 to 19 digits whose first digit is a major industry that issues cards (2-6: Mir and
  Mastercard, Amex/JCB/Diners, Visa, Mastercard, Discover/Maestro), in one run or in groups of four
  (Amex: 4-6-5), that pass the Luhn check (ISO/IEC 7812), which a random number passes one time in ten.
- Labelled: 12 to 19 digits right after "card" ("card no", "credit card number is", "card #"), whatever
  the checksum: a card number that fails it is still someone's account number as written.
  Insurance, member and ID cards carry health-plan or other identifiers, not card numbers.
"""

from __future__ import annotations

import re

from workbench.detect.recognizer import Pattern, Recognizer, luhn_valid, token_start
from workbench.kinds import IdentifierKind


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def reject(text: str) -> bool:
    """True unless 13-19 digits that pass the Luhn check and are not one digit repeated."""
    digits = _digits(text)
    return not (13 <= len(digits) <= 19 and luhn_valid(digits)) or len(set(digits)) == 1


def reject_labelled(text: str) -> bool:
    """True unless 12-19 digits that are not one digit repeated."""
    digits = _digits(text)
    return not 12 <= len(digits) <= 19 or len(set(digits)) == 1


_CONTEXT = ("card", "credit", "debit", "visa", "mastercard", "amex", "discover", "payment", "billing", "cc")

PAYMENT_CARD = Recognizer(
    name="payment_card",
    kind=IdentifierKind.ACCOUNT,
    patterns=(
        Pattern(
            "payment_card",
            token_start("[2-6]", r"[\w.,/+-]")
            + r"[0-9]{3}(?:([ -])[0-9]{4}\1[0-9]{4}\1[0-9]{4}(?:\1[0-9]{1,3})?|[ -][0-9]{6}[ -][0-9]{5}|[0-9]{9,15})"
            r"(?![\w/-]|[.,][0-9])",
            0.5,
        ),
    ),
    context=_CONTEXT,
    reject=reject,
)

# "card", not after a word that makes it an insurance, member or ID card; "no", "#", "number is"...
_CARD_LABEL = (
    token_start("[cC]", r"[\w-]")
    + r"(?i:ard)"
    + "".join(
        f"(?<!{word}[ ]card)(?<!{word.upper()}[ ]CARD)(?<!{word.title()}[ ]Card)"
        for word in ("insurance", "id", "member", "medicare", "medicaid", "health", "library")
    )
    + r"(?:[ ]?(?i:#|no\.?|num(?:ber)?\.?|number)(?![a-z]))?(?:[ ]?:)?(?:[ ]+(?:is|was))?[ ]*[:#]?[ ]*"
)

CARD_NUMBER = Recognizer(
    name="card_number",
    kind=IdentifierKind.ACCOUNT,
    patterns=(
        Pattern(
            "card_labelled",
            _CARD_LABEL + r"(?P<id>[0-9]{4}(?:[ -]?[0-9]){8,15})(?![\w-]|[.,][0-9])",
            0.7,
            group="id",
            keywords=("card",),
        ),
    ),
    context=_CONTEXT,
    reject=reject_labelled,
)
