"""UUIDs (8-4-4-4-12 hex): record keys, which identify a patient's records (Safe Harbor (R)).

Synthea and many warehouses key patients, encounters and claims by UUID; version and variant
nibbles are not checked because generators do not all set them.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind

_HEX = "[0-9A-Fa-f]"

UUID = Recognizer(
    name="uuid",
    kind=IdentifierKind.OTHER_ID,
    patterns=(
        Pattern(
            "uuid",
            token_start(_HEX, r"[\w-]")
            + rf"{_HEX}{{7}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}(?![0-9A-Za-z-])",
            0.6,
        ),
    ),
    context=("id", "uuid", "guid", "patient", "encounter", "claim", "member", "record"),
)
