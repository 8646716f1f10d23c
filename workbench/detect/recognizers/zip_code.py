"""US ZIP codes, 5 digits or ZIP+4 (geographic units smaller than a state, Safe Harbor (B)).

Five bare digits are everywhere (amounts, codes), so they score low and count only with a context
word such as "zip" nearby or in the column name; ZIP+4 scores higher. A ZIP after a state code is
sure, unless the "state" is shorthand in a prescription ("2 TABS PO BID TX 12345": treatment). After
a "zip code" label nine digits are a ZIP+4 written without its dash.
"""

from __future__ import annotations

from workbench.detect.recognizer import DIGIT_RUN, Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind

_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK"
    "|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR"
)


# Words of a prescription or a dose: a two-letter code after one is no state ("PO BID TX 12345").
_DOSING_WORDS = (
    "po",
    "bid",
    "tid",
    "qid",
    "qd",
    "qod",
    "qhs",
    "hs",
    "prn",
    "tab",
    "tabs",
    "cap",
    "caps",
    "mg",
    "mcg",
    "ml",
    "iv",
    "im",
    "sq",
    "subq",
    "daily",
    "units",
    "puffs",
    "gtt",
    "gtts",
    "q4h",
    "q6h",
    "q8h",
    "q12h",
)
# Checked after the state code matched: the lookbehind spans the dosing word, a space and the code.
_NOT_AFTER_DOSING = "".join(rf"(?<!\b(?i:{word})[ ][A-Z]{{2}})" for word in _DOSING_WORDS)


def reject(text: str) -> bool:
    """True for a bare number that is not five digits, and for the unassigned prefix 000."""
    return (text.isdigit() and len(text) != 5) or text.startswith("000")


ZIP_CODE = Recognizer(
    name="zip_code",
    kind=IdentifierKind.GEO,
    patterns=(
        Pattern("zip5", DIGIT_RUN, 0.05),
        Pattern(
            "zip_after_state",
            r"(?<![\w-])(?:"
            + _STATES
            + r")"
            + _NOT_AFTER_DOSING
            + r",?[ ]+(?P<zip>[0-9]{5}(?:-[0-9]{4})?)(?![\w/-]|[.,][0-9])",
            0.6,
            group="zip",
        ),
        Pattern(
            "zip_after_city",
            r"(?<=[a-z], )(?P<zip>[0-9]{5})(?![\w/-]|[.,][0-9])",
            0.3,
            group="zip",
        ),
        Pattern("zip9", token_start("[0-9]", r"[\w.,$/-]") + r"[0-9]{4}-[0-9]{4}(?![\w/-]|[.,][0-9])", 0.3),
    ),
    context=("zip", "zipcode", "zip5", "postal", "postcode", "mailing", "address"),
    reject=reject,
)

# Postal codes of other countries after a "zip"/"postal code" label (five digits and ZIP+4 are the
# US forms above; a ZIP+4 without its dash, "021390001", needs the label): 4 digits (Denmark, Switzerland, Australia...), "394 13" (Sweden), "53-320" (Poland), "3610-114" (Portugal),
# "75534-030" (Brazil), "1098 SL" (Netherlands), "B0J 2H0" (Canada), "SW1A 1AA" (UK).
_POSTCODE = (
    r"[0-9]{9}|[0-9]{4}[ ]?[A-Za-z]{2}|[0-9]{4}(?:-[0-9]{3})?|[0-9]{5}-[0-9]{3}|[0-9]{3}[ ][0-9]{2}|[0-9]{2}-[0-9]{3}"
    r"|[A-Za-z][0-9][A-Za-z][ ]?[0-9][A-Za-z][0-9]|[A-Za-z]{1,2}[0-9][A-Za-z0-9]?[ ][0-9][A-Za-z]{2}"
)


def reject_postcode(text: str) -> bool:
    """True for a code of one repeated digit ("0000"), a placeholder."""
    digits = [char for char in text if char.isdigit()]
    return len(set(digits)) == 1 and len(digits) >= 4


POSTAL_CODE = Recognizer(
    name="postal_code",
    kind=IdentifierKind.GEO,
    patterns=(
        Pattern(
            "postcode_labelled",
            r"(?<![\w-])(?i:zip(?:[ ]?code)?|postal[ ]code|post[ ]code|postcode|postleitzahl)"
            r"(?:[ ]?:)?(?:[ ]+(?:is|was))?[ ]*[:#]?[ ]*(?P<id>" + _POSTCODE + r")(?![\w-]|[.,/][0-9])",
            0.6,
            group="id",
            keywords=("zip", "postal", "postcode", "post code", "postleitzahl"),
        ),
    ),
    context=("zip", "zipcode", "postal", "postcode", "address"),
    reject=reject_postcode,
)
