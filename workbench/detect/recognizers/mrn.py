"""Medical record numbers (Safe Harbor (H)): the code after "MRN", "MR#", "medical record #", "Med Rec No",
"chart #", "Unit No.", "Hospital #", and the financial number "FIN".

Hospitals number records their own way, so the shape says little: a label in the text, or an MRN
column name as context, is what makes a number an MRN. The FIN (financial identification number)
that hospital systems print beside the MRN numbers one encounter's record and its bill; it is kept
as an MRN-like record number (masked the same way as an account number would be).
"""

from __future__ import annotations

from workbench.detect.recognizer import DIGIT_RUN, Pattern, Recognizer
from workbench.detect.recognizers.labels import labelled
from workbench.kinds import IdentifierKind

# "No", "No.", "Num", "#" after a label word, in any case ("Med Rec No:", "Unit No. 778-45-12").
_NUMBER_WORD = r"(?:[ ]?(?:#|no\.?|num(?:ber)?\.?|number))"

MRN = Recognizer(
    name="mrn",
    kind=IdentifierKind.MRN,
    patterns=(
        Pattern(
            "mrn_labelled",
            labelled(
                r"mrn|mr|mr[ ]?#|med(?:ical)?[ ]rec(?:ord)?s?" + _NUMBER_WORD + r"?|chart"
                r"|unit" + _NUMBER_WORD + r"|hosp(?:ital)?" + _NUMBER_WORD + r"|patient[ ]id"
                # "fin" is a word only as a label: in capitals, or before "#"/"no"/"number"
                r"|(?-i:FIN|Fin)|fin(?=[ ]?(?:#|no|num))|financial[ ](?:number|no\.?|num\.?|#|id)"
            ),
            0.8,
            group="id",
            keywords=("mr", "med", "chart", "unit", "hosp", "patient id", "fin"),
        ),
        Pattern("mrn_bare", DIGIT_RUN, 0.05),
    ),
    context=("mrn", "mr", "medical", "record", "chart"),
)
