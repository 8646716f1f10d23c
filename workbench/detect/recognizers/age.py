"""Ages over 89 (Safe Harbor (C) treats them as date elements): "92 yo", "92Y F", "(92 y/o)", "aged 92".

Also in words: "ninety-two years old", "NINETY TWO YO", "aged one hundred and one". Only the number is
reported, so masking keeps "yo". Ages up to 89 are not identifiers. They are `DATE` findings (the kinds
have no separate age); the masking operators turn every finding of this recognizer into ``90+``.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer
from workbench.kinds import IdentifierKind

_AGE = r"(?:9[0-9]|1[01][0-9])"
_UNITS = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_AGE_WORDS = (
    r"(?i:(?:ninety(?:[ -]" + _UNITS + r")?"
    r"|(?:a|one)[ -]hundred(?:(?:[ ]and)?[ -](?:"
    + _UNITS
    + r"|ten|eleven|twelve|thirteen|fourteen|fifteen))?))"
)
_UNIT = r"(?=[ -]?(?i:yo\b|y/o|y\.o\.|yrs?\b|years?\b|yoa\b|y(?=[ ]?[mf]\b)|yr-old))"

AGE_OVER_89 = Recognizer(
    name="age_over_89",
    kind=IdentifierKind.DATE,
    patterns=(
        Pattern("age_unit", r"(?<![\w.,/-])" + _AGE + _UNIT, 0.7),
        Pattern(
            "age_labelled",
            r"(?<![\w-])(?i:age|aged|turned|turns|turning)[: ]+(?P<id>" + _AGE + r")(?![\w/-]|[.,][0-9])",
            0.7,
            group="id",
            keywords=("age", "turn"),
        ),
        Pattern(
            "age_words_unit",
            r"(?<![\w-])" + _AGE_WORDS + _UNIT,
            0.7,
            keywords=("ninety", "hundred"),
        ),
        Pattern(
            "age_words_labelled",
            r"(?<![\w-])(?i:age|aged|turned|turns|turning)[: ]+(?P<id>" + _AGE_WORDS + r")(?![\w-])",
            0.7,
            group="id",
            keywords=("ninety", "hundred"),
        ),
    ),
    context=("age", "aged", "old", "yo", "year"),
)
