"""Certificate and licence numbers after a label (Safe Harbor (K)): state medical, nursing, professional,
and driver's licences written as "license #297227" or "lic. no. RN-48213".

Specific shapes (DEA, NPI, passports, the letter-and-eight-digit driver's licence) have their own
recognizers; this one reads the label.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer
from workbench.detect.recognizers.labels import labelled
from workbench.kinds import IdentifierKind

LICENSE_NUMBER = Recognizer(
    name="license_number",
    kind=IdentifierKind.LICENSE,
    patterns=(
        Pattern(
            "license_labelled",
            labelled(
                r"licen[cs]e|lic\.?|dl|dln|driver'?s?[ ]licen[cs]e|certificate|cert\.?|registration[ ]number"
                r"|passport"
            ),
            0.75,
            group="id",
            keywords=("lic", "dl", "driver", "certificate", "cert", "registration", "passport"),
        ),
    ),
    context=("license", "licence", "lic", "certificate", "board", "state"),
)
