"""Device identifiers: GS1 Unique Device Identifiers in human-readable form, ``(01)`` GTIN plus production AIs.

The production identifiers that may follow are (11) manufacture date, (17) expiry, (10) lot and
(21) serial number. GTIN check digits are not verified: generators such as Synthea do not set them.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer
from workbench.kinds import IdentifierKind

UDI = Recognizer(
    name="udi",
    kind=IdentifierKind.DEVICE_ID,
    patterns=(
        Pattern(
            "udi_gs1",
            r"\(01\)[0-9]{14}(?:\((?:11|17)\)[0-9]{6}|\((?:10|21)\)[A-Za-z0-9./_-]{0,19}[A-Za-z0-9_-])*(?![\w(])",
            0.8,
        ),
    ),
    context=("udi", "device", "implant", "serial", "gtin"),
)
