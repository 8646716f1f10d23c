"""Email addresses: a local part, "@", and a dotted domain ending in an alphabetic top-level label."""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind


def reject(text: str) -> bool:
    """True when the local part has empty dot-separated pieces ("a..b@x.org", ".a@x.org")."""
    local = text.rsplit("@", 1)[0]
    return "" in local.split(".")


EMAIL = Recognizer(
    name="email",
    kind=IdentifierKind.EMAIL,
    patterns=(
        Pattern(
            "email",
            token_start("[A-Za-z0-9]", r"[\w.%+-]") + r"[A-Za-z0-9._%+-]{0,63}+@"
            r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w@-]|\.[A-Za-z0-9])",
            0.8,
        ),
    ),
    context=("email", "e-mail", "mail", "contact"),
    reject=reject,
)
