"""Account numbers (Safe Harbor (J)): hospital and billing accounts, claim numbers, payment card numbers.

Account and claim numbers are recognized by their label ("Acct #:", "hospital account", "claim");
a payment card number by its shape and the Luhn check.
"""

from __future__ import annotations

import re

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.detect.recognizers.labels import labelled
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
    """True for a card-shaped number that fails the Luhn check or repeats one digit; labelled codes stand."""
    digits = re.sub(r"[ -]", "", text)
    if not (digits.isdigit() and 13 <= len(digits) <= 19 and " " not in text.strip()[:0]):
        return False
    if len(text) == len(digits) and not text.startswith(("3", "4", "5", "6")):
        return False  # a labelled run of digits is an account number whatever its checksum
    return not _luhn_valid(digits) or len(set(digits)) == 1


ACCOUNT = Recognizer(
    name="account",
    kind=IdentifierKind.ACCOUNT,
    patterns=(
        Pattern(
            "account_labelled",
            labelled(
                r"acct|account|a/c|billing[ ]account|hospital[ ]account|invoice|claim|claim[ ]number"
                r"|bank[ ]account|routing"
            ),
            0.8,
            group="id",
            keywords=("acct", "account", "a/c", "invoice", "claim", "routing"),
        ),
        Pattern(
            "payment_card",
            token_start("[3-6]", r"[\w.-]") + r"[0-9]{3}(?:([ -]?)[0-9]{4}\1[0-9]{4}\1[0-9]{4}|[0-9]{9,12})"
            r"(?![\w-])",
            0.5,
        ),
    ),
    context=("account", "acct", "claim", "billing", "invoice", "card", "visa", "mastercard", "amex", "bank"),
    reject=reject,
)
