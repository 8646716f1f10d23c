"""Device identifiers: GS1 Unique Device Identifiers in human-readable form, ``(01)`` GTIN plus production AIs.

The production identifiers that may follow are (11) manufacture date, (17) expiry, (10) lot and
(21) serial number. GTIN check digits are not verified: generators such as Synthea do not set them.
A device identifier (DI) alone is a GTIN of 8, 12, 13 or 14 digits; after a "GUDID", "UDI", "DI" or
"GTIN" label it is a device identifier too ("GUDID 00844588003288").
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer
from workbench.detect.recognizers.labels import labelled
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
        Pattern(
            "device_identifier_labelled",
            labelled(
                r"gudid(?:[ ]di)?|udi(?:[ ]?-?[ ]?di)?|(?-i:DI)|primary[ ]di|device[ ]identifier|gtin(?:-?1[234])?",
                r"[0-9]{14}|[0-9]{12,13}|[0-9]{8}",
            ),
            0.7,
            group="id",
            keywords=("gudid", "udi", "di", "device identifier", "gtin"),
        ),
    ),
    context=("udi", "gudid", "device", "implant", "serial", "gtin"),
)
