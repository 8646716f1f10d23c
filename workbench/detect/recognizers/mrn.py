"""Medical record numbers (Safe Harbor (H)): the code after "MRN", "MR#", "medical record #", "Med Rec No",
"chart #", "Unit No.", "Hospital #", the financial number "FIN", and encounter numbers ("Encounter #",
"CSN", "Visit #", "Admission #", "HAR").

Hospitals number records their own way, so the shape says little: a label in the text, or an MRN
column name as context, is what makes a number an MRN. The FIN (financial identification number)
that hospital systems print beside the MRN numbers one encounter's record and its bill; it is kept
as an MRN-like record number (masked the same way as an account number would be).

Encounter numbers get the same kind, `MRN`, for the same reason: an encounter number ("Encounter #",
Epic's contact serial number "CSN", "Visit #", "Admission #", the hospital account record "HAR")
numbers one stay in one hospital's records, as a FIN does; one kind keeps FIN and encounter
numbers masked alike. "Encounter", "visit" and "admission" are everyday words, so they are labels
only before "#", "no", "number" or "ID" ("visit 2021-03-04" is a date); "CSN" and "HAR" are labels
as words in capitals (or before "#"/"no").
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
                # encounter numbers (see above)
                r"|(?:encounter|visit|admission|adm)(?=[ ]?(?:#|no\b|no\.|num|id\b))"
                r"|(?-i:CSN|HAR)\b|(?:csn|har)(?=[ ]?(?:#|no\b|no\.|num))"
            ),
            0.8,
            group="id",
            keywords=(
                "mr",
                "med",
                "chart",
                "unit",
                "hosp",
                "patient id",
                "fin",
                "encounter",
                "visit",
                "adm",
                "csn",
                "har",
            ),
        ),
        Pattern("mrn_bare", DIGIT_RUN, 0.05),
    ),
    context=("mrn", "mr", "medical", "record", "chart"),
)
