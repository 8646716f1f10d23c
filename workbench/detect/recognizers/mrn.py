"""Medical record numbers (Safe Harbor (H)): the code after "MRN", "MR#", "medical record #", "chart #".

Hospitals number records their own way, so the shape says little: a label in the text, or an MRN
column name as context, is what makes a number an MRN.
"""

from __future__ import annotations

from workbench.detect.recognizer import DIGIT_RUN, Pattern, Recognizer
from workbench.detect.recognizers.labels import labelled
from workbench.kinds import IdentifierKind

MRN = Recognizer(
    name="mrn",
    kind=IdentifierKind.MRN,
    patterns=(
        Pattern(
            "mrn_labelled",
            labelled(
                r"mrn|mr|mr[ ]?#|med(?:ical)?[ ]rec(?:ord)?s?|chart|unit[ ]no|hospital[ ]number|patient[ ]id"
            ),
            0.8,
            group="id",
            keywords=("mr", "med", "chart", "unit", "hospital number", "patient id"),
        ),
        Pattern("mrn_bare", DIGIT_RUN, 0.05),
    ),
    context=("mrn", "mr", "medical", "record", "chart"),
)
