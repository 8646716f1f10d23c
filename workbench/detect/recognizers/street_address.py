"""US street addresses: a house number, capitalized street words and a USPS street suffix.

Optional secondary units ("Apt 4", "Suite 12", "Unit 7B") are part of the span; suffixes may be plural
as USPS allows ("Mills", "Springs", "Fields"). Suffixes that read
as ordinary English after a number ("7 Day Course", "2 Point Scale") are left out of the list.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind

# USPS Publication 28, Appendix C1 (street suffixes), common abbreviations, less the ambiguous ones.
SUFFIXES = (
    "Alley|Aly|Annex|Arcade|Avenue|Ave|Bayou|Beach|Bend|Bluff|Boulevard|Blvd|Branch|Bridge|Brook|Burg|"
    "Bypass|Camp|Canyon|Cape|Causeway|Center|Circle|Cir|Cliff|Club|Common|Corner|Court|Ct|Cove|Creek|"
    "Crescent|Crest|Crossing|Crossroad|Curve|Dale|Dam|Divide|Drive|Dr|Estate|Expressway|Extension|Ferry|"
    "Field|Flat|Ford|Forest|Forge|Fork|Fort|Ft|Freeway|Garden|Gateway|Glen|Green|Grove|Harbor|Haven|Heights|"
    "Highway|Hwy|Hill|Hollow|Inlet|Island|Isle|Junction|Knoll|Lake|Landing|Lane|Ln|Light|Lock|Lodge|Loop|"
    "Manor|Meadow|Meadows|Mews|Mill|Mills|Motorway|Mount|Mountain|Neck|Orchard|Oval|Overpass|Parkway|Pkwy|Pike|"
    "Park|Parks|Place|Pl|Plain|Plaza|Port|Prairie|Promenade|Radial|Ramp|Ranch|Rapid|Ridge|River|Road|Rd|Route|Rue|"
    "Shoal|Shore|Skyway|Spring|Spur|Station|Square|Sq|Stravenue|Stream|Street|St|Summit|Terrace|Ter|Throughway|Trace|"
    "Track|Trafficway|Trail|Trl|Tunnel|Turnpike|Underpass|Union|Vale|Valley|Viaduct|Village|Ville|Vista|Walk|"
    "Wall|Way|Well|View|Pine|Key|Loaf|Mission|Passage"
)
UNIT = r"(?:,?[ ]+(?i:Apt|Apartment|Suite|Ste|Unit|Rm|Room|Fl|Floor|#)\.?[ ]*#?[0-9A-Za-z-]{1,6})?"

# Street names are not prepositions: "1400 WITH DR. HASSAN" is a time and a doctor.
_NOT_FUNCTION_WORD = r"(?!(?i:with|at|on|in|to|from|for|of|the|and|by|per|or|via)[ ])"

STREET_ADDRESS = Recognizer(
    name="street_address",
    kind=IdentifierKind.GEO,
    patterns=(
        Pattern(
            "po_box",
            r"(?<![\w.])(?i:p\.?[ ]?o\.?[ ]?box|post[ ]office[ ]box)[ ]+[0-9]{1,6}(?![\w-])",
            0.7,
            keywords=("box",),
        ),
        Pattern(
            "street_address",
            token_start("[0-9]", r"[\w.,/-]")
            + r"[0-9]{0,5}[A-Z]?[ ]+(?:(?:[NSEW]|North|South|East|West)\.?[ ]+)?"
            r"(?:"
            + _NOT_FUNCTION_WORD
            + r"[A-Z][A-Za-z'.-]*[ ]+){1,4}(?i:(?:"
            + SUFFIXES
            + r")s?)\.?"
            + UNIT
            + r"(?![\w-])",
            0.5,
        ),
    ),
    context=("address", "addr", "street", "lives", "live", "residence", "home", "mailing"),
)
