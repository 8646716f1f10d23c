"""US street addresses: a house number, capitalized street words and a USPS street suffix.

Also a street whose type comes first ("77 Rue Lafayette #4", "500 Camino Real", "10 Route 9"), a
street named without its number after "on", "at", "off" ("Resides at Sunrise Assisted Living on Oak
Ave": a location smaller than a state), and an apartment or suite on its own ("Apt 4C", "Ste B-12").
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

# Street types that come before the street's name, as in French, Spanish and US route names.
_TYPES_FIRST = r"(?:Rue|RUE|Avenue|AVENUE|Avenida|Via|Viale|Calle|CALLE|Camino|CAMINO|Chemin|Rua|Boulevard|Route|ROUTE|Rte|Highway|HIGHWAY|Hwy|HWY|Quai)"
_PARTICLES = r"(?:(?:de|du|des|la|le|del|de[ ]la|of[ ]the|of)[ ]+)?"
# Suffixes that name a street without its number: "on Oak Ave", "at Main Street" ("Dr", "Ct", "Way",
# "Place" are left out: "on Dr. Lee's service", "at Home Court").
_PLAIN_SUFFIXES = (
    r"(?:Avenue|Ave|Street|St|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Terrace|Parkway|Pkwy|Highway|Hwy|Turnpike)"
)

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
        Pattern(
            "street_type_first",
            token_start("[0-9]", r"[\w.,/-]")
            + r"[0-9]{0,5}[A-Z]?[ ]+"
            + _TYPES_FIRST
            + r"\.?[ ]+(?:"
            + _PARTICLES
            + _NOT_FUNCTION_WORD
            + r"[A-Z][A-Za-z'.-]*(?:[ ]+"
            + _NOT_FUNCTION_WORD
            + r"[A-Z][A-Za-z'.-]*){0,3}|[0-9]{1,4}[A-Z]?(?![\w/-]|[.,][0-9]))"
            + UNIT
            + r"(?![\w-])",
            0.5,
        ),
        Pattern(
            "street_without_number",
            r"(?<![\w-])(?:on|at|off|along|near|On|At)[ ]+(?P<id>(?:"
            + _NOT_FUNCTION_WORD
            + r"[A-Z][a-z'-]+[ ]+){1,3}"
            + _PLAIN_SUFFIXES
            + r"\.?)(?![\w-])",
            0.45,
            group="id",
        ),
        Pattern(
            "unit_alone",
            r"(?<![\w-])(?i:apt|apartment|ste|suite|bldg|building)\.?[ ]*#?[ ]*(?:[0-9]{1,5}-?[A-Za-z]?|[A-Za-z]-?[0-9]{1,4})(?![\w/-]|[.,][0-9])",
            0.4,
            keywords=("apt", "apartment", "ste", "suite", "bldg", "building"),
        ),
    ),
    context=(
        "address",
        "addr",
        "street",
        "lives",
        "live",
        "residence",
        "resides",
        "resident",
        "home",
        "mailing",
    ),
)
