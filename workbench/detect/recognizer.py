"""What a pattern recognizer declares: regexes with scores, context words, and a reject hook.

A `Recognizer` is data, not behaviour: `workbench.detect.scan` runs the declarations with plain `re`,
and the later presidio engine can register the same declarations unchanged, as

    PatternRecognizer(supported_entity=r.kind.value, name=r.name, context=list(r.context),
                      patterns=[presidio_analyzer.Pattern(p.name, p.regex, p.score) for p in r.patterns],
                      global_regex_flags=r.flags)

with ``invalidate_result`` delegating to `Recognizer.reject`. Patterns therefore use only syntax
that both `re` and `regex` accept, and spell digits ``[0-9]`` so that no Unicode digit sneaks in.
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
