"""Places smaller than a state that context reveals (Safe Harbor (B)): counties, and cities after an
address or a preposition.

- "McDonald County", "ORANGE PARISH": capitalized words before County/Parish/Borough.
- "..., East Kristen, MA 02366", "Boston, MA": the words before a state abbreviation (and ZIP).
- "FROM DAISYHAVEN W/ CP", "lives in West Aprilhaven": capitalized words after from/in/near that are
  not common English, clinical vocabulary or a state (a state alone is not an identifier). Weak alone.
"""

from __future__ import annotations

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


def reject(text: str) -> bool:
    """True unless each word of a place after a preposition is uncommon in English and no clinical word."""
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    if not words:
        return True
    significant = [word for word in words if word.lower().rstrip(".") not in _PLACE_PREFIXES]
    if not significant:
        return True
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
    """True when the words before a state are clinical vocabulary or an abbreviation, not a city."""
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    return not words or any(
        evidence(word).clinical or (word.isupper() and len(word) <= 3) or word.lower() in ("dr", "mr", "ms")
        for word in words
    )


# Codes that are more often credentials or words than states ("Smith, MD"; "PA"; "IN").
_AMBIGUOUS_STATES = frozenset({"MD", "PA", "IN", "ME", "OR", "OK", "HI", "DE", "CO", "LA", "ID", "DC"})
PLAIN_STATE_CODES = tuple(code for code in STATE_CODES if code not in _AMBIGUOUS_STATES)
_PLAIN_STATE = "(?:" + "|".join(PLAIN_STATE_CODES) + ")"
_PLACE = r"(?P<id>" + _WORD + r"(?:[ ]" + _WORD + r"){0,2})"
# The same, but a state code ends the place ("from Springfield IL": Springfield).
_NOT_STATE = r"(?!(?:" + "|".join(STATE_CODES) + r")(?![\w'’-]))"
_PLACE_BEFORE_STATE = r"(?P<id>" + _NOT_STATE + _WORD + r"(?:[ ]" + _NOT_STATE + _WORD + r"){0,2})"

# Where a "City, ST" may start: after a comma, semicolon or colon, or at the start of a line.
_CITY_START = r"(?:(?<=[,;:] )|(?<![^\n]))"
# The end of a street address: its suffix and unit ("... Oak St", "... MAIN STREET APT 4").
_STREET_END = r"(?<![\w-])(?i:(?:" + SUFFIXES + r")s?)\.?" + UNIT + r",?[ ]"

CITY = Recognizer(
    name="city",
    kind=IdentifierKind.GEO,
    patterns=(
        Pattern(
            "city_state_zip", _CITY_START + _PLACE + r",?[ ]" + _STATE + r"[ ][0-9]{5}(?![\w])", 0.6, "id"
        ),
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
    ),
    context=("lives", "city", "town", "address", "home", "resides"),
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
