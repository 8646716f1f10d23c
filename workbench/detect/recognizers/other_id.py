"""Other unique identifying numbers (Safe Harbor (R)): accession, specimen, case and order numbers, and
any code a label calls an ID ("ID: 48213-B", "ref # X7731"), and a number after "NPI" that fails the
NPI check, or a code after "VIN" that fails the VIN check ("NPI 1234567890", "VIN WVWZZZ1JZXW000001":
a typo, a made-up number or a European VIN, without check digit, is still an identifier).

Record keys (UUIDs) have their own recognizer (`uuid`). More specific recognizers that find the same
code (a member ID, an MRN) score higher and win the overlap.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer
from workbench.detect.recognizers.labels import labelled
from workbench.kinds import IdentifierKind

ACCESSION = Recognizer(
    name="accession",
    kind=IdentifierKind.OTHER_ID,
    patterns=(
        Pattern(
            "accession_labelled",
            labelled(r"accession|acc|acc\.|specimen|requisition|order|case|study|exam[ ]id"),
            0.7,
            group="id",
            keywords=("acc", "specimen", "requisition", "order", "case", "study", "exam"),
        ),
    ),
    context=("accession", "specimen", "requisition"),
)

# No context words: any more specific recognizer (a member id after "Humana ID", an NPI whose check
# digit holds, a VIN whose check digit holds) outscores it. A number after "NPI" or a code after "VIN"
# that fails its check is still an identifier.
LABELLED_ID = Recognizer(
    name="labelled_id",
    kind=IdentifierKind.OTHER_ID,
    patterns=(
        Pattern(
            "id_labelled",
            labelled(r"id|identifier|ref|reference|record|ticket|confirmation|tracking|badge|employee"),
            0.4,
            group="id",
            keywords=(
                "id",
                "identifier",
                "ref",
                "record",
                "ticket",
                "confirmation",
                "tracking",
                "badge",
                "employee",
            ),
        ),
        Pattern(
            "vin_unchecked",
            labelled(
                r"vin|vehicle[ ]identification(?:[ ]number)?|chassis(?:[ ]number)?", r"[A-Za-z0-9]{11,17}"
            ),
            0.4,
            group="id",
            keywords=("vin", "vehicle", "chassis"),
        ),
        Pattern(
            "npi_unchecked",
            labelled(r"npi|national[ ]provider[ ](?:identifier|id)", r"[0-9]{8,12}"),
            0.4,
            group="id",
            keywords=("npi", "national provider"),
        ),
    ),
)
