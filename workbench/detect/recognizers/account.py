"""Account numbers (Safe Harbor (J)): hospital and billing accounts, claim numbers.

Account and claim numbers are recognized by their label ("Acct #:", "hospital account", "claim");
payment cards and IBANs have their own modules (`payment_card`, `iban`).
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer
from workbench.detect.recognizers.labels import labelled
from workbench.kinds import IdentifierKind


def reject(text: str) -> bool:
    """True for a code that is one character repeated ("0000000000"): a placeholder, not an account."""
    return len(set(text.replace("-", ""))) == 1


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
    ),
    context=("account", "acct", "claim", "billing", "invoice", "card", "visa", "mastercard", "amex", "bank"),
    reject=reject,
)
