"""Medicare Beneficiary Identifiers: 11 characters in CMS's fixed digit/letter layout.

Letters never include S, L, O, I, B or Z. Printed MBIs may be split 4-3-4 by dashes.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind

_ALPHA = "[AC-HJKMNP-RT-Y]"
_ALNUM = "[AC-HJKMNP-RT-Y0-9]"


def reject(text: str) -> bool:
    """True when dashes split the identifier other than 4-3-4."""
    return text.count("-") not in (0, 2)


MBI = Recognizer(
    name="mbi",
    kind=IdentifierKind.HEALTH_PLAN_ID,
    patterns=(
        Pattern(
            "mbi",
            token_start("[1-9]", r"[\w-]")
            + rf"{_ALPHA}{_ALNUM}[0-9]-?{_ALPHA}{_ALNUM}[0-9]-?{_ALPHA}{{2}}[0-9]{{2}}(?![\w-])",
            0.6,
        ),
    ),
    context=("mbi", "medicare", "beneficiary", "hicn", "member", "cms"),
    reject=reject,
)
