"""Other unique identifying numbers (Safe Harbor (R)): accession, specimen, case and order numbers, and
any code a label calls an ID ("ID: 48213-B", "ref # X7731").

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

# No context words: any more specific recognizer (a member id after "Humana ID") outscores it.
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
    ),
)
