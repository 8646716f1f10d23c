"""Biometric identifiers (Safe Harbor (P)): a named fingerprint, voice print, retina or iris scan, palm vein.

Notes mention biometrics when they verified someone with one ("identity confirmed by palm vein scan").
The finding covers the biometric named, e.g. "right index fingerprint", "voice print", "iris scan".
Body parts alone ("iris", "face") are not biometrics; they need a scan, print or recognition word.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer
from workbench.kinds import IdentifierKind

_FINGER = r"(?:(?:right|left)[ ]+)?(?:(?:index|thumb|middle|ring|little|pinky)[ ]+)?"
_PRINTS = r"(?:finger[ -]?prints?|thumb[ -]?prints?|palm[ -]?prints?|voice[ -]?prints?|foot[ -]?prints?)"
_SCANNED = r"(?:iris|retina|retinal|facial|face|palm[ ]vein|finger[ ]vein|hand|voice|vein|gait|dna)"
_SCAN = r"(?:scans?|biometrics?|recognition|templates?|geometry|prints?|signatures?|profiles?|patterns?)"

BIOMETRIC = Recognizer(
    name="biometric",
    kind=IdentifierKind.BIOMETRIC,
    patterns=(
        Pattern(
            "biometric",
            r"(?<![\w-])(?i:"
            + _FINGER
            + _PRINTS
            + r"(?:[ ]+(?:scans?|templates?|images?))?|"
            + _SCANNED
            + r"[ ]+"
            + _SCAN
            + r")(?![\w-])",
            0.7,
            keywords=(
                "print",
                "scan",
                "biometric",
                "recognition",
                "template",
                "geometry",
                "signature",
                "profile",
                "pattern",
            ),
        ),
    ),
    context=("biometric", "identity", "verified", "confirmed", "enrolled", "matched", "scan"),
)
