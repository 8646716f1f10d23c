"""Places smaller than a state that context reveals (Safe Harbor (B)): counties, and cities after an
address or a preposition.

- "McDonald County", "ORANGE PARISH": capitalized words before County/Parish/Borough.
- "..., East Kristen, MA 02366", "Boston, MA": the words before a state abbreviation (and ZIP).
- "FROM DAISYHAVEN W/ CP", "lives in West Aprilhaven": capitalized words after from/in/near that are
  not common English, clinical vocabulary, a department ("from Cardiology") or a state (a state alone
  is not an identifier). Weak alone.
- "lives in Fall River, MA", "moved to Little Rock AR 72201", "Salem, MA 01970": one to three
  capitalized words after a residence phrase (or opening a line) and before a state code or a ZIP are
  a city, whatever else the words mean (`CITY_BEFORE_STATE`); "Lives in Fall River." at the end of a
  sentence is a city unless a word is clinical vocabulary or it is one common English word
  (`RESIDENCE_SENTENCE_END`); "Burlington VT" (no comma) opening a line or after a comma needs
  uncommon words (`CITY_STATE_BARE`).

Countries and states are never reported: neither is a unit smaller than a state. Their names come
from pycountry (ISO 3166, installed with names-dataset) plus the everyday short forms.
"""

from __future__ import annotations

import functools
import re

from workbench.detect.lexicon import evidence
from workbench.detect.recognizer import Pattern, Recognizer
from workbench.detect.recognizers.street_address import SUFFIXES, UNIT
from workbench.kinds import IdentifierKind

STATE_CODES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "PR",
]
_STATE = "(?:" + "|".join(STATE_CODES) + ")"
_WORD = r"(?:(?:St|Mt|Ft|Pt)\.|[A-ZÀ-Þ][\w'’-]*)"  # a capitalized word, or St. / Mt. / Ft.
# A place word that is not a preposition or article ("IN MCDONALD COUNTY" is McDonald County).
_PLACE_WORD = r"(?!(?:IN|OF|THE|FROM|TO|AT|ON|NEAR|In|Of|The|From|To|At|On|Near)\b)" + _WORD
# Words that start place names and are common English or names on their own.
_PLACE_PREFIXES = frozenset(
    [
        "north",
        "south",
        "east",
        "west",
        "new",
        "port",
        "lake",
        "mount",
        "mt",
        "fort",
        "ft",
        "saint",
        "st",
        "san",
        "santa",
        "los",
        "las",
        "el",
        "la",
        "le",
        "little",
        "great",
        "upper",
        "lower",
        "old",
        "glen",
        "spring",
        "springs",
        "city",
        "falls",
        "bay",
        "beach",
        "park",
        "village",
        "center",
        "heights",
        "island",
        "river",
        "valley",
        "hills",
    ]
)


# Everyday names of countries, regions and continents that ISO 3166 spells otherwise.
_REGION_ALIASES = (
    "america",
    "united states",
    "united states of america",
    "usa",
    "the states",
    "us",
    "u.s.",
    "u.s.a.",
    "england",
    "scotland",
    "wales",
    "northern ireland",
    "britain",
    "great britain",
    "uk",
    "holland",
    "russia",
    "iran",
    "syria",
    "vietnam",
    "laos",
    "bolivia",
    "venezuela",
    "tanzania",
    "moldova",
    "taiwan",
    "south korea",
    "north korea",
    "korea",
    "czech republic",
    "ivory coast",
    "cape verde",
    "burma",
    "palestine",
    "kosovo",
    "macedonia",
    "swaziland",
    "the philippines",
    "the netherlands",
    "congo",
    "europe",
    "africa",
    "asia",
    "south america",
    "north america",
    "central america",
    "latin america",
    "the caribbean",
    "caribbean",
    "middle east",
    "the middle east",
    "new england",
    "the midwest",
    "midwest",
    "mainland",
    "overseas",
    "abroad",
)
# Words that name a kind of dwelling or care setting, not a place: "lives in Group Home."
_NOT_PLACE_WORDS = frozenset(
    {
        "home",
        "homes",
        "house",
        "apartment",
        "apt",
        "shelter",
        "facility",
        "nursing",
        "assisted",
        "living",
        "rehab",
        "rehabilitation",
        "hospital",
        "group",
        "care",
        "community",
        "senior",
        "housing",
        "building",
        "complex",
        "unit",
        "ward",
        "room",
        "floor",
        "bed",
        "icu",
        "hospice",
        "jail",
        "prison",
        "custody",
        "country",
        "state",
        "city",
        "town",
        "area",
        "neighborhood",
        "suburbs",
        "downtown",
        "foster",
        "dorm",
        "dormitory",
        "residence",
        "condo",
        "trailer",
        "motel",
        "hotel",
        "car",
        "street",
        "streets",
        "general",
        "medical",
        "center",
        "clinic",
        "service",
        "services",
        "program",
        "department",
    }
)


# Clinical departments and specialties: "Referred from Cardiology.", "Transferred from PACU." name a
# service, not a place (`reject`), in any case.
_DEPARTMENT_WORDS = frozenset(
    [
        "cardiology",
        "cards",
        "neurology",
        "neuro",
        "oncology",
        "onc",
        "heme",
        "hemonc",
        "hematology",
        "pediatrics",
        "paediatrics",
        "peds",
        "rehab",
        "rehabilitation",
        "icu",
        "micu",
        "sicu",
        "nicu",
        "picu",
        "cvicu",
        "ccu",
        "cticu",
        "pacu",
        "pcu",
        "ed",
        "er",
        "or",
        "surgery",
        "surgical",
        "neurosurgery",
        "ortho",
        "orthopedics",
        "orthopaedics",
        "gi",
        "gastroenterology",
        "gastro",
        "hepatology",
        "nephrology",
        "renal",
        "pulmonology",
        "pulmonary",
        "pulm",
        "urology",
        "dermatology",
        "derm",
        "psychiatry",
        "psych",
        "radiology",
        "ir",
        "obstetrics",
        "ob",
        "obgyn",
        "gyn",
        "gynecology",
        "l&d",
        "endocrinology",
        "endo",
        "rheumatology",
        "rheum",
        "ent",
        "otolaryngology",
        "ophthalmology",
        "optometry",
        "anesthesia",
        "anesthesiology",
        "emergency",
        "triage",
        "telemetry",
        "tele",
        "medicine",
        "geriatrics",
        "cardiothoracic",
        "ctsurg",
        "vascular",
        "trauma",
        "transplant",
        "burn",
        "burns",
        "medsurg",
        "med-surg",
        "step-down",
        "stepdown",
        "dialysis",
        "infectious",
        "id",
        "pathology",
        "podiatry",
        "palliative",
        "hospice",
        "outpatient",
        "inpatient",
        "neonatology",
        "nursery",
        "labor",
        "delivery",
        "postpartum",
        "antepartum",
        "urgent",
        "primary",
        "pcp",
    ]
)


@functools.cache
def regions() -> frozenset[str]:
    """Lower-case names of countries (ISO 3166-1), US states and territories, continents: never a GEO finding."""
    import pycountry  # installed with names-dataset (a dependency); ISO 3166 country and subdivision names

    names: set[str] = set(_REGION_ALIASES)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                names.add(value.lower())
                names.add(value.split(",")[0].lower())  # "Korea, Republic of" -> "korea"
    for subdivision in pycountry.subdivisions.get(country_code="US") or ():
        names.add(subdivision.name.lower())
    return frozenset(names)


def _is_region(text: str) -> bool:
    return " ".join(text.lower().split()) in regions()


def _not_a_city(words: list[str]) -> bool:
    """True for a dwelling or care setting, an abbreviation ("OSH", "ED") or a title, never part of a city name."""
    return any(
        word.lower().rstrip(".") in _NOT_PLACE_WORDS
        or (word.isupper() and len(word) <= 3 and word not in ("ST.", "MT.", "FT."))
        or word.lower() in ("dr", "mr", "mrs", "ms", "miss", "prof")
        for word in words
    )


def reject(text: str) -> bool:
    """True unless each word of a place after a preposition is uncommon in English and no clinical word."""
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    if not words or _is_region(text):
        return True
    significant = [word for word in words if word.lower().rstrip(".") not in _PLACE_PREFIXES]
    if not significant:
        return True
    if any(word.lower().rstrip(".") in _DEPARTMENT_WORDS for word in significant):
        return True  # a department or specialty ("from Cardiology"), not a place
    for word in significant:
        if (word.isupper() and len(word) <= 3) or word.lower() in ("dr", "mr", "mrs", "ms", "miss", "prof"):
            return True
        found = evidence(word)
        if found.clinical or found.common_word or (found.english >= 1000 and not found.known_name):
            return True
    return False


COUNTY = Recognizer(
    name="county",
    kind=IdentifierKind.GEO,
    patterns=(
        Pattern(
            "county",
            r"(?<![\w'’.-])"
            + _PLACE_WORD
            + r"(?:[ ]"
            + _PLACE_WORD
            + r"){0,2}[ ](?:County|COUNTY|Parish|PARISH|Borough|BOROUGH)(?![\w])",
            0.6,
            keywords=("county", "parish", "borough"),
        ),
    ),
    context=("county", "parish", "lives", "resident"),
)


def reject_address_city(text: str) -> bool:
    """True for a country or state, a dwelling or care setting, an abbreviation, a title, or clinical vocabulary.

    Common English is allowed ("Fall River", "Little Rock"): the state code or the residence phrase
    around a city says it is a place. A clinical word is allowed when it is also a personal name, as
    town names often are ("Salem", also a sump tube).
    """
    words = re.findall(r"[^\W\d_][\w'’.-]*", text)
    if not words or _is_region(text) or _not_a_city(words):
        return True
    return any(evidence(word).clinical and not evidence(word).known_name for word in words)


# Codes that are more often credentials or words than states ("Smith, MD"; "PA"; "IN").
_AMBIGUOUS_STATES = frozenset({"MD", "PA", "IN", "ME", "OR", "OK", "HI", "DE", "CO", "LA", "ID", "DC"})
PLAIN_STATE_CODES = tuple(code for code in STATE_CODES if code not in _AMBIGUOUS_STATES)
_PLAIN_STATE = "(?:" + "|".join(PLAIN_STATE_CODES) + ")"
_PLACE = r"(?P<id>" + _PLACE_WORD + r"(?:[ ]" + _WORD + r"){0,2})"
# The same, but a state code ends the place ("from Springfield IL": Springfield).
_NOT_STATE = r"(?!(?:" + "|".join(STATE_CODES) + r")(?![\w'’-]))"
_PLACE_BEFORE_STATE = r"(?P<id>" + _NOT_STATE + _WORD + r"(?:[ ]" + _NOT_STATE + _WORD + r"){0,2})"

# Where a "City, ST" may start: after a comma, semicolon or colon, or at the start of a line.
_CITY_START = r"(?:(?<=[,;:] )|(?<![^\n]))"
# The end of a street address: its suffix and unit ("... Oak St", "... MAIN STREET APT 4").
_STREET_END = r"(?<![\w-])(?i:(?:" + SUFFIXES + r")s?)\.?" + UNIT + r",?[ ]"

# "lives in", "moved to", "originally from": what puts a city before a state code, a ZIP or the end of
# a sentence ("Lives in Fall River."). Bare "from" counts only before a state code or a ZIP.
_RESIDENCE_VERBS = (
    r"(?i:lives|living|lived|resides|residing|resided|resident|moved|relocated|born|raised|grew[ ]up"
    r"|stays|staying|settled)[ ](?i:in|to|at|near|outside|of|from)"
    r"|(?i:(?:is|are|was|were|originally|comes|came|hails)[ ]from|hometown(?:[ ]is)?:?)"
)
_STATE_OR_ZIP_AFTER = (
    r"(?![\w'’-])(?=,?[ ]"
    + _STATE
    + r"(?![\w'’-])(?:,?[ ][0-9]{5}(?:-[0-9]{4})?(?![\w-])|[ ]?(?:[.,;:)!?\n]|$))"
    r"|,?[ ][0-9]{5}(?:-[0-9]{4})?(?![\w-]))"
)
_SENTENCE_END = r"(?![\w'’-])(?=[ ]?[.;!?](?:[ \n]|$)|[ ]*\n|[ ]*$)"
# State codes that double as clinical shorthand never end a city written without a comma: nasal
# cannula, CT scan, subcutaneous, morphine sulfate, gestational age, the VA, per rectum.
_BARE_STATE = (
    "(?:"
    + "|".join(
        code for code in PLAIN_STATE_CODES if code not in {"NC", "CT", "SC", "MS", "GA", "VA", "PR", "NM"}
    )
    + ")"
)

CITY = Recognizer(
    name="city",
    kind=IdentifierKind.GEO,
    patterns=(
        Pattern(
            "city_state", _CITY_START + _PLACE + r",[ ]" + _PLAIN_STATE + r"(?=[ ]?[).;,\n]|$)", 0.5, "id"
        ),
        # "12 Oak St Boston MA 02118", "12 OAK ST, BOSTON, MA": the city between a street and its state
        Pattern(
            "city_after_street",
            r"[0-9][0-9A-Z]{0,5}[ ]+(?:[A-Z][A-Za-z'.-]*[ ]+){1,4}"
            + _STREET_END
            + _PLACE
            + r",?[ ]"
            + _STATE
            + r"(?=,?[ ][0-9]{5}(?![\w])|[ ]?[).;,\n]|$)",
            0.6,
            "id",
        ),
        Pattern("city_zip", r"(?<=, )" + _PLACE + r",[ ][0-9]{5}(?:-[0-9]{4})?(?![\w-])", 0.55, "id"),
        Pattern(
            "city_state_zip", _CITY_START + _PLACE + r",?[ ]" + _STATE + r"[ ][0-9]{5}(?![\w])", 0.6, "id"
        ),
        # "lives in Fall River, MA 02720", "from Little Rock, AR": a residence phrase, a city, a state or ZIP
        Pattern(
            "city_after_residence",
            r"(?<![\w-])(?:"
            + _RESIDENCE_VERBS
            + r"|(?i:from))[ ]"
            + _PLACE_BEFORE_STATE
            + _STATE_OR_ZIP_AFTER,
            0.5,
            group="id",
        ),
        # "Lives in Fall River.": a residence phrase and a city that ends the sentence
        Pattern(
            "city_ending_residence",
            r"(?<![\w-])(?:" + _RESIDENCE_VERBS + r")[ ]" + _PLACE_BEFORE_STATE + _SENTENCE_END,
            0.5,
            group="id",
            keywords=(
                "live",
                "resid",
                "moved",
                "relocated",
                "born",
                "raised",
                "grew",
                "stay",
                "settled",
                "from",
            ),
        ),
        # "Burlington VT" on a line of its own or after a comma
        Pattern(
            "city_state_no_comma",
            _CITY_START + _PLACE_BEFORE_STATE + r"[ ]" + _BARE_STATE + r"(?=[ ]?[).;,\n]|[ ]*$)",
            0.5,
            group="id",
        ),
    ),
    context=("lives", "city", "town", "address", "home", "resides", "moved"),
    reject=reject_address_city,
)

PLACE_AFTER_PREPOSITION = Recognizer(
    name="place_after_preposition",
    kind=IdentifierKind.GEO,
    patterns=(
        Pattern(
            "place_after_preposition",
            r"(?<![\w-])(?:from|FROM|From|in|IN|near|NEAR|to|TO)[ ]"
            + _PLACE_BEFORE_STATE
            + r"(?![\w'’-])(?=[ ]?(?:[.,;)\n]|W/|(?i:in|on|at|for|and|with|since)[ ]"
            r"|dated|DATED|with|WITH|$)|[ ]" + _PLAIN_STATE + r"(?![\w]))",
            0.4,
            group="id",
        ),
    ),
    context=("lives", "city", "town", "moved", "resides", "from", "home", "called", "visiting"),
    reject=reject,
)

RESIDENCE = Recognizer(
    name="residence",
    kind=IdentifierKind.GEO,
    patterns=(
        Pattern(
            "residence",
            r"(?<![\w-])(?i:lives|living|resides|residing|resident|moved|relocated|born|raised|grew[ ]up)"
            r"[ ](?i:in|to|at|near|outside|of)[ ]" + _PLACE_BEFORE_STATE + r"(?![\w'’-])",
            0.55,
            group="id",
            keywords=("live", "resid", "moved", "relocated", "born", "raised", "grew"),
        ),
    ),
    context=("lives", "moved", "resides", "born"),
    reject=reject,
)
