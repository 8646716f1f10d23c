"""Street addresses as most of the world writes them, and the lines of an address block.

- Street type first, number last: "Rua do Arenque 1634", "Via Franscini 71", "12 rue de la Paix".
- A street word ending in its type, number last: "Søndergade 52", "Mellemvej 32", "Kiannonkatu 98",
  "Hauptstraße 5", "Erzsébet tér 19." (Nordic -vej/-gade/-gata/-vägen/-veien, Finnish -katu/-tie/-kuja,
  German and Dutch -straße/-weg/-gasse/-straat/-laan, Hungarian utca/út/tér). A house number before
  the street and a ", City" after it on the same line belong to the address.
- US military addresses (USPS Publication 28): "PSC 1234, Box 5678", "Unit 2050 Box 4190",
  "APO AE 09012".
- A unit on a line of its own ("Apt. 595", "Suite 501"), and the city on the line after a unit
  or a street line: in an address block the line that follows is the city.

Words that are clinical vocabulary or short abbreviations are never street words: "Via Foley 16"
and "Via PEG 2" are routes of a drug, not places.
"""

from __future__ import annotations

import re

from workbench.detect.lexicon import evidence
from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.detect.recognizers.street_address import UNIT
from workbench.kinds import IdentifierKind

_TYPES_FIRST = (
    "Rue|RUE|rue|Rua|RUA|rua|Via|VIA|Viale|Vicolo|Piazza|Corso|Calle|CALLE|calle|Carrer|Avenida|Avda\\.|Paseo|"
    "Praça|Largo|Travessa|Estrada|Strada|Chemin|Allée|Quai|Ulica|ulica|ul\\.|Aleja|Plac|Rambla|Ronda"
)
_PARTICLE = r"(?:de|da|do|dos|das|del|della|delle|dei|di|la|le|les|des|du|von|van|der|den|d'|l')"
_CAPITALIZED = r"[A-ZÀ-ÖØ-Þ][^\W\d_]*(?:['’-][^\W\d_]+)*\.?"
_NUMBER = r"[0-9]{1,4}[A-Za-z]?(?:[-/][0-9]{1,4})?"
_SUFFIXES = (
    "vej|gade|gata|gatan|vägen|vagen|veien|vegen|gaten|stien|straße|strasse|str\\.|weg|gasse|platz|allee|laan"
    "|straat|steeg|gracht|katu|kuja|tie|polku|utca|ulica|cesta|iela|gatve|vænget|vænge|stræde|torv|plads|vei|veg"
)
_SUFFIX_WORD = r"[^\W\d_]{3,}(?:" + _SUFFIXES + ")"
_SEPARATE_TYPES = "utca|út|tér|körút|fasor|Straße|Strasse|Str\\.|Weg|Gasse|Platz|Allee"
_SEPARATE_TYPE = "(?:" + _SEPARATE_TYPES + ")"
# A street of these forms is followed by its number: texts holding none of these skip the patterns.
_TYPE_LAST_KEYWORDS = tuple(
    f"{word.replace(chr(92), '').lower()} " for word in (_SUFFIXES + "|" + _SEPARATE_TYPES).split("|")
)
_TYPE_FIRST_KEYWORDS = tuple(f"{word.replace(chr(92), '').lower()} " for word in _TYPES_FIRST.split("|"))
# A city: one to three words of letters (capitalized, or all capitals) up to the end of the line.
_CITY = r"[A-ZÀ-ÖØ-ÞΑ-ΩА-Я][^\W\d_]+(?:[ -][A-ZÀ-ÖØ-ÞΑ-ΩА-Я][^\W\d_]+){0,2}"
_LEADING_NUMBER = r"(?:" + token_start("[0-9]", r"[\w.,/-]") + r"[0-9]{0,5}[ ]+)?"
# "Rua do Arenque", "Via Franscini", "rue de la Paix": a street type, then its name
_TYPE_FIRST_NAME = (
    r"(?:"
    + _TYPES_FIRST
    + r")[ ]+(?:"
    + _PARTICLE
    + r"[ ]?)*"
    + _CAPITALIZED
    + r"(?:[ ]+(?:"
    + _PARTICLE
    + r"|"
    + _CAPITALIZED
    + r")){0,4}"
)
_CITY_AFTER = r"(?:,[ ]+" + _CITY + r"(?=[ ]*(?:\n|$|[.;?!)])))?"
_UNIT_LINE = r"(?:Apt|APT|Apartment|APARTMENT|Suite|SUITE)\.?[ ]?#?[0-9]{1,5}[A-Za-z]?"
_UNIT_KEYWORDS = ("apt", "suite", "apartment")
# The city on the line after (the rest of the line may hold a comma and the region).
_CITY_LINE = r"[ ]*,?[ ]*\n[ \t>]*(?P<id>" + _CITY + r")[ ]*(?=\n|$|,)"
_NOT_DURATION = (
    r"(?![ ]+(?i:days?|d|weeks?|wks?|months?|mos?|hours?|hrs?|years?|yrs?|mins?|minutes?|am|pm)\b)"
)

_WORDS = re.compile(r"[^\W\d_][\w'’-]*")
_STREET_ENDINGS = re.compile(_SUFFIX_WORD + r"$|^" + _SEPARATE_TYPE + r"$", re.IGNORECASE)
_NOT_STREET_WORDS = frozenset(
    {"box", "apt", "suite", "unit", "psc", "cmr", "apo", "fpo", "dpo", "aa", "ae", "ap"}
)


def reject(text: str) -> bool:
    """True when a word of the address is clinical vocabulary or a short capitalized abbreviation."""
    for word in _WORDS.findall(text):
        if word.lower() in _NOT_STREET_WORDS or _STREET_ENDINGS.search(word):
            continue
        if (word.isupper() and 2 <= len(word) <= 4 and word not in ("RUE", "RUA", "VIA")) or evidence(
            word
        ).clinical:
            return True
    return False


STREET_INTERNATIONAL = Recognizer(
    name="street_international",
    kind=IdentifierKind.GEO,
    patterns=(
        Pattern(
            "street_type_first",
            r"(?:"
            + token_start("[0-9]", r"[\w.,/-]")
            + r"[0-9]{0,5}[ ]+"
            + _TYPE_FIRST_NAME
            + r"(?:[ ]+"
            + _NUMBER
            + r")?|(?<![\w-])"
            + _TYPE_FIRST_NAME
            + r"[ ]+"
            + _NUMBER
            + r")(?![\w/-]|[.,][0-9])"
            + UNIT
            + _CITY_AFTER,
            0.55,
            keywords=_TYPE_FIRST_KEYWORDS,
        ),
        Pattern(
            "street_type_last",
            _LEADING_NUMBER
            + r"(?<![\w-])(?:(?:"
            + _CAPITALIZED
            + r"[ ]+){1,3}"
            + _SEPARATE_TYPE
            + r"|(?:"
            + _CAPITALIZED
            + r"[ ]+){0,2}"
            + _SUFFIX_WORD
            + r")[ ]+"
            + _NUMBER
            + r"\.?(?![\w/-]|[,][0-9])"
            + UNIT
            + _CITY_AFTER,
            0.55,
            keywords=_TYPE_LAST_KEYWORDS,
        ),
        Pattern(
            "military_address",
            r"(?<![\w-])(?i:(?:psc|cmr|unit)[ ][0-9]{3,5},?[ ]box[ ][0-9]{1,5}"
            r"|(?:apo|fpo|dpo)[ ](?:aa|ae|ap)[ ][0-9]{5})(?![\w-])",
            0.6,
            keywords=("box", "apo ", "fpo ", "dpo "),
        ),
        Pattern(
            "unit_line",
            r"(?<![\w-])" + _UNIT_LINE + _NOT_DURATION + r"(?![\w/-]|[.,][0-9])",
            0.45,
            keywords=_UNIT_KEYWORDS,
        ),
        Pattern(
            "city_after_unit",
            _UNIT_LINE + _CITY_LINE,
            0.5,
            group="id",
            keywords=_UNIT_KEYWORDS,
        ),
        Pattern(
            "city_after_street",
            _SUFFIX_WORD + r"[ ]+" + _NUMBER + r"\.?" + _CITY_LINE,
            0.5,
            group="id",
            keywords=_TYPE_LAST_KEYWORDS,
        ),
    ),
    context=("address", "addr", "street", "lives", "live", "residence", "home", "mailing", "billing"),
    reject=reject,
)
