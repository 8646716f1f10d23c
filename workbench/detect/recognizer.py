"""What a pattern recognizer declares: regexes with scores, context words, and a reject hook.

A `Recognizer` is data, not behaviour: `workbench.detect.scan` runs the declarations with plain `re`,
and the later presidio engine can register the same declarations unchanged, as

    PatternRecognizer(supported_entity=r.kind.value, name=r.name, context=list(r.context),
                      patterns=[presidio_analyzer.Pattern(p.name, p.regex, p.score) for p in r.patterns],
                      global_regex_flags=r.flags)

with ``invalidate_result`` delegating to `Recognizer.reject` (`workbench.detect.presidio_engine` does
exactly this). Patterns therefore use only syntax that both `re` and `regex` accept, and spell digits
``[0-9]`` so that no Unicode digit sneaks in. A pattern may report one named group instead of the
whole match (`Pattern.group`), e.g. the number after "MRN:" but not the label.

Personal names are not a regular language: `NameRecognizer` declares the words around a name (titles,
relations, labels, credentials) and the words that end one, and `workbench.detect.names` runs it
against the name dictionaries (presidio: an `EntityRecognizer` rather than a `PatternRecognizer`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench.kinds import IdentifierKind


@dataclass(frozen=True)
class Pattern:
    """One regular expression and the score a match earns before context is considered."""

    name: str
    regex: str
    score: float
    group: str | None = None  # report this named group's span rather than the whole match
    # Lower-case words one of which every match contains: the regex is skipped on text that has none.
    keywords: tuple[str, ...] = ()


def token_start(first: str, not_after: str = r"\w") -> str:
    """Regex for one character of class `first` that does not follow a character of class `not_after`.

    Means the same as ``(?<!not_after)first``, but a pattern that begins with a character class
    lets `re` skip straight to the characters that can start a match instead of testing the
    lookbehind at every position, which makes scans of prose several times faster.
    """
    return f"{first}(?<!{not_after}{first})"


# Five to eleven digits standing alone. Several families (SSN, ZIP, NPI, phone, passport) declare
# this one pattern and check the length in their reject hook, so one scan serves them all.
DIGIT_RUN = token_start("[0-9]", r"[\w.,$+/-]") + r"[0-9]{4,10}(?![\w/-]|[.,][0-9])"


def never_reject(text: str) -> bool:
    """The default reject hook: every match of the regex stands."""
    return False


@dataclass(frozen=True)
class Recognizer:
    """A fast recognizer of one identifier family.

    `context` words near a match (or in the column name the value came from) raise its score;
    `requires_context` drops matches that have no context word at all (fax numbers look like phone
    numbers until a "fax" label says otherwise); `reject(matched_text)` returning True drops a
    match that the regex accepted but a checksum or numbering rule forbids.
    """

    name: str
    kind: IdentifierKind
    patterns: tuple[Pattern, ...]
    context: tuple[str, ...] = ()
    reject: Callable[[str], bool] = never_reject
    requires_context: bool = False
    flags: int = 0


@dataclass(frozen=True)
class NameRecognizer:
    """A recognizer of personal names from dictionaries and the words around them.

    A capitalized word is a name when the name dictionaries know it and it is neither a common
    English word nor clinical vocabulary, or when it follows one of `titles` ("Dr."), `relations`
    ("HIS WIFE") or `labels` ("Patient:"), or precedes one of `credentials` (", RN"). A name runs on
    over further capitalized words, initials and `particles` ("da", "van"), and stops at a word that
    `reject` refuses (an eponym before "disease", a drug) or that is common English. `eponyms` are
    surnames that notes mostly use for a disease ("HX PARKINSON"): a name only after a title or a
    relation ("Mr. Parkinson"). `abbreviations` are dotted capitals that are not initials ("U.S.",
    "P.O."). `context` words raise scores as in pattern recognizers; in ALL-CAPS text a lone
    dictionary word needs one.
    """

    name: str
    kind: IdentifierKind
    titles: frozenset[str]
    relations: frozenset[str]
    labels: frozenset[str]
    credentials: frozenset[str]
    particles: frozenset[str]
    function_words: frozenset[str]
    eponyms: frozenset[str] = frozenset()
    abbreviations: frozenset[str] = frozenset()
    context: tuple[str, ...] = ()
    reject: Callable[[str, str], bool] = lambda word, following: False


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check of a string of digits, check digit last (cards, NPIs)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0
