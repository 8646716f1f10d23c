"""Run the fast recognizers over text: match, weigh context, resolve overlaps, and mask.

Scoring follows presidio's context enhancement so that both engines agree: a match earns its
pattern's score; a context word among the few words before it (or in the caller's `context`, e.g.
the column name a value came from) adds `CONTEXT_BOOST`, to at least `MIN_SCORE_WITH_CONTEXT`;
matches below `MIN_SCORE` are dropped. Overlapping matches are resolved by score, then length,
then the nearer context word (how "Phone: ... Fax: ..." tells the two numbers apart), then
registry order.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass
from itertools import accumulate

from workbench.detect.finding import Finding
from workbench.detect.names import find_names
from workbench.detect.recognizer import NameRecognizer, Pattern, Recognizer
from workbench.detect.recognizers import RECOGNIZERS
from workbench.detect.recognizers.date import slash_pair_is_a_score
from workbench.detect.spans import Spans
from workbench.kinds import IdentifierKind

MIN_SCORE = 0.3
CONTEXT_BOOST = 0.35
MIN_SCORE_WITH_CONTEXT = 0.4
CONTEXT_WINDOW = 48  # characters before a match searched for context words

# Joins values scanned together (`scan_values`); no pattern matches it and context never crosses it.
VALUE_SEPARATOR = "\x1e"

_NO_CONTEXT = 1_000_000  # distance of a context word that is absent
_EXTERNAL_CONTEXT = 1_000  # distance of a context word found only in the caller's `context`
_WORD = re.compile(r"[a-z]+")
_NAME_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
# A run of base64 alphabet long enough to be an encoded blob, a token or a key rather than words.
_BLOB_RUN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_LOWER = re.compile("[a-z]")
_UPPER = re.compile("[A-Z]")
_DIGIT = re.compile("[0-9]")


def blobs(text: str) -> list[tuple[int, int]]:
    """Spans of base64-like blobs: 16 or more characters of [A-Za-z0-9+/] mixing lower case, capitals and digits.

    Nothing found wholly inside one is an identifier of a person: an MRN, a name or a licence number
    that a random string happens to spell ("…+mrjLNkD83h/…") is chance, not PHI.
    """
    return [
        match.span()
        for match in _BLOB_RUN.finditer(text)
        if _LOWER.search(match.group()) and _UPPER.search(match.group()) and _DIGIT.search(match.group())
    ]


def _inside(spans: list[tuple[int, int]]) -> Callable[[int, int], bool]:
    """A test of whether ``[start, end)`` lies wholly inside one of `spans` (sorted, not overlapping)."""
    starts = [start for start, _end in spans]

    def inside(start: int, end: int) -> bool:
        at = bisect.bisect_right(starts, start) - 1
        return at >= 0 and end <= spans[at][1]

    return inside


def _outside_blobs(found: list[_Candidate], text: str) -> list[_Candidate]:
    spans = blobs(text)
    if not spans:
        return found
    inside = _inside(spans)
    return [candidate for candidate in found if not inside(candidate[0], candidate[1])]


@dataclass(frozen=True)
class _Use:
    """One recognizer pattern that shares a compiled regex."""

    index: int
    recognizer: Recognizer
    pattern: Pattern
    context: frozenset[str]


@dataclass(frozen=True)
class _Regex:
    compiled: re.Pattern[str]
    uses: tuple[_Use, ...]
    keywords: tuple[str, ...]  # empty: always run; else run only on text holding one of them


def _compile(recognizers: Sequence[Recognizer | NameRecognizer]) -> tuple[_Regex, ...]:
    """Compile each distinct (regex, flags) once; recognizers that share a pattern (phone, fax) share a pass."""
    grouped: dict[tuple[str, int], list[_Use]] = {}
    for index, recognizer in enumerate(recognizers):
        if not isinstance(recognizer, Recognizer):
            continue
        words = frozenset(word.lower() for word in recognizer.context)
        for pattern in recognizer.patterns:
            grouped.setdefault((pattern.regex, recognizer.flags), []).append(
                _Use(index, recognizer, pattern, words)
            )
    return tuple(
        _Regex(
            re.compile(regex, flags),
            tuple(uses),
            ()
            if any(not use.pattern.keywords for use in uses)
            else tuple(w for u in uses for w in u.pattern.keywords),
        )
        for (regex, flags), uses in grouped.items()
    )


_REGEXES = _compile(RECOGNIZERS)
_NAME_RECOGNIZERS = tuple(
    (index, recognizer)
    for index, recognizer in enumerate(RECOGNIZERS)
    if isinstance(recognizer, NameRecognizer)
)
BLOCKING_SCORE = 0.5  # a pattern finding this sure keeps the name recognizer out of its span
# Vetoes that need the text around a match, which a reject hook (given the match alone) cannot see:
# pattern name -> test of (text, match start).
_VETOES: dict[str, Callable[[str, int], bool]] = {"date_month_day": slash_pair_is_a_score}


def _context_tokens(context: Sequence[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Words of the caller's context (column names split at separators and camel case) and the squashed names."""
    tokens: set[str] = set()
    squashed: list[str] = []
    for name in context:
        tokens.update(part.lower() for part in _NAME_PART.findall(name))
        squashed.append(re.sub(r"[^a-z0-9]", "", name.lower()))
    return frozenset(tokens), tuple(squashed)


def _external_context(context: Sequence[str]) -> frozenset[int]:
    """Indexes of recognizers that have a context word in the caller's context.

    Whole words match; words of four letters or more also match inside a squashed name, so
    ``DRIVERS`` and ``PATIENTZIPCODE`` count for "driver" and "zipcode" but "ip" does not hit ``ZIP``.
    """
    if not context:
        return frozenset()
    tokens, squashed = _context_tokens(context)
    hits: set[int] = set()
    for index, recognizer in enumerate(RECOGNIZERS):
        for word in recognizer.context:
            if word in tokens or (len(word) >= 4 and any(word in name for name in squashed)):
                hits.add(index)
                break
    return frozenset(hits)


def _window_words(text: str, start: int) -> list[str]:
    window = text[max(0, start - CONTEXT_WINDOW) : start]
    cut = window.rfind(VALUE_SEPARATOR)
    if cut >= 0:
        window = window[cut + 1 :]
    return _WORD.findall(window.lower())


def _distance(words: list[str], context: frozenset[str]) -> int:
    """How many words back the nearest context word is (0 = the word just before the match)."""
    for back, word in enumerate(reversed(words)):
        if word in context:
            return back
    return _NO_CONTEXT


# A candidate: (start, end, score, context distance, recognizer index).
_Candidate = tuple[int, int, float, int, int]


def _candidates(text: str, external: frozenset[int], names: bool = True) -> list[_Candidate]:
    """Every match that passes its reject hook and, context weighed, the score floor.

    `external` holds the recognizers that have a context word in the caller's context.
    """
    found: list[_Candidate] = []
    lowered = text.lower()
    for regex in _REGEXES:
        if regex.keywords and not any(word in lowered for word in regex.keywords):
            continue
        for match in regex.compiled.finditer(text):
            words: list[str] | None = None
            rejected: dict[tuple[object, int, int], bool] = {}
            for use in regex.uses:
                start, end = match.span(use.pattern.group) if use.pattern.group else match.span()
                if start < 0:
                    continue
                hook = use.recognizer.reject
                if (hook, start, end) not in rejected:
                    rejected[hook, start, end] = hook(text[start:end])
                if rejected[hook, start, end]:
                    continue
                veto = _VETOES.get(use.pattern.name)
                if veto is not None and veto(text, start):
                    continue
                if words is None or use.pattern.group:
                    words = _window_words(text, start)
                distance = _distance(words, use.context)
                if distance == _NO_CONTEXT and use.index in external:
                    distance = _EXTERNAL_CONTEXT
                score = use.pattern.score
                if distance != _NO_CONTEXT:
                    score = min(1.0, max(score + CONTEXT_BOOST, MIN_SCORE_WITH_CONTEXT))
                elif use.recognizer.requires_context:
                    continue
                if score >= MIN_SCORE:
                    found.append((start, end, score, distance, use.index))
    if _NAME_RECOGNIZERS and names:
        blocked = [(c[0], c[1]) for c in found if c[2] >= BLOCKING_SCORE]
        for index, recognizer in _NAME_RECOGNIZERS:
            for start, end, score in find_names(
                text, recognizer, external_context=index in external, blocked=blocked
            ):
                found.append((start, end, score, 0, index))
    return _outside_blobs(found, text)


def _priority(candidate: _Candidate) -> tuple[float, int, int, int]:
    start, end, score, distance, index = candidate
    return (-score, start - end, distance, index)


def _best_of(cluster: list[_Candidate]) -> list[_Candidate]:
    """The candidates of one cluster of overlapping ones that survive, best first, none overlapping."""
    taken: list[_Candidate] = []
    for candidate in sorted(cluster, key=_priority):
        if all(candidate[1] <= other[0] or candidate[0] >= other[1] for other in taken):
            taken.append(candidate)
    return taken


def _resolve(candidates: list[_Candidate]) -> list[_Candidate]:
    """Keep non-overlapping candidates, deciding only within each cluster of overlapping ones."""
    kept: list[_Candidate] = []
    cluster: list[_Candidate] = []
    cluster_end = -1
    for candidate in sorted(candidates):
        if cluster and candidate[0] >= cluster_end:
            kept.extend(_best_of(cluster))
            cluster = []
        cluster.append(candidate)
        cluster_end = max(cluster_end, candidate[1]) if len(cluster) > 1 else candidate[1]
    kept.extend(_best_of(cluster))
    kept.sort()
    return kept


def _findings(
    text: str,
    context: Sequence[str],
    extra: Sequence[Finding] = (),
    candidates: list[_Candidate] | None = None,
) -> list[Finding]:
    candidates = _candidates(text, _external_context(context)) if candidates is None else list(candidates)
    if extra:
        sure = [(c[0], c[1], RECOGNIZERS[c[4]].kind) for c in candidates if c[2] >= BLOCKING_SCORE]
        blocked = {kind: Spans((s, e) for s, e, k in sure if k != kind) for kind in {f.kind for f in extra}}
        inside_blob = _inside(blobs(text))
        for number, finding in enumerate(extra):
            if inside_blob(finding.start, finding.end):
                continue
            if not blocked[finding.kind].overlaps(finding.start, finding.end):
                index = len(RECOGNIZERS) + number
                candidates.append((finding.start, finding.end, finding.score, _NO_CONTEXT, index))
    found = []
    for start, end, score, _context_distance, index in _resolve(candidates):
        if index < len(RECOGNIZERS):
            found.append(Finding(RECOGNIZERS[index].kind, start, end, score, RECOGNIZERS[index].name))
        else:
            found.append(extra[index - len(RECOGNIZERS)])
    return found


@dataclass(frozen=True)
class Scan:
    """A text's candidates before overlaps are resolved: `findings` resolves them, with extra findings."""

    text: str
    candidates: tuple[_Candidate, ...]

    def findings(self, extra: Sequence[Finding] = ()) -> list[Finding]:
        return _findings(self.text, (), extra, list(self.candidates))


def prepare(text: str, *, context: Sequence[str] = (), names: bool = True) -> Scan:
    """Run the recognizers over `text` once; resolve later, with or without another engine's findings.

    `names=False` skips the name recognizers (for binary junk, where capitals mean nothing).
    """
    return Scan(text, tuple(_candidates(text, _external_context(context), names)))


def scan_text(text: str, *, context: Sequence[str] = (), extra: Sequence[Finding] = ()) -> list[Finding]:
    """Every identifier the fast recognizers find in `text`, sorted by start, spans not overlapping.

    `context` holds words that apply to the whole text, typically the column name of a value.
    `extra` holds findings of another recognizer (the NER model) to weigh with these: each competes
    for its span by score, and none survives inside a sure finding of another kind (an address).
    """
    return _findings(text, context, extra)


def scan_values(
    values: Sequence[str], *, context: Sequence[str] = (), names: bool = True
) -> list[list[Finding]]:
    """Scan many short values in one pass; findings are per value, with offsets into that value.

    Used on a column of a query result or a column sample, with the column name as `context`.
    `names=False` skips the name recognizers (for the printable runs of binary junk).
    """
    if not values:
        return []
    joined = VALUE_SEPARATOR.join(value.replace(VALUE_SEPARATOR, " ") for value in values)
    starts = [0, *accumulate(len(value) + 1 for value in values)]
    per_value: list[list[Finding]] = [[] for _ in values]
    slot = 0
    candidates = _candidates(joined, _external_context(context), names)
    for finding in _findings(joined, context, candidates=candidates):
        while starts[slot + 1] <= finding.start:
            slot += 1
        offset = starts[slot]
        per_value[slot].append(
            Finding(
                finding.kind, finding.start - offset, finding.end - offset, finding.score, finding.recognizer
            )
        )
    return per_value


def mask_text(
    text: str, kinds_to_mask: Set[IdentifierKind], *, context: Sequence[str] = ()
) -> tuple[str, Counter[IdentifierKind]]:
    """`text` with every found span of `kinds_to_mask` replaced by its kind's token (``[SSN]``), and counts per kind."""
    if isinstance(kinds_to_mask, str):  # one kind passed bare would iterate as letters and mask nothing
        raise TypeError("kinds_to_mask is a set of IdentifierKind, e.g. {IdentifierKind.SSN}")
    kinds = kinds_to_mask
    masked: Counter[IdentifierKind] = Counter()
    if not kinds or not text:
        return text, masked
    pieces: list[str] = []
    position = 0
    for finding in scan_text(text, context=context):
        if finding.kind in kinds:
            pieces.append(text[position : finding.start])
            pieces.append(finding.kind.token)
            position = finding.end
            masked[finding.kind] += 1
    if not masked:
        return text, masked
    pieces.append(text[position:])
    return "".join(pieces), masked


def mask_values(
    values: Sequence[str], kinds_to_mask: Set[IdentifierKind], *, context: Sequence[str] = ()
) -> tuple[list[str], Counter[IdentifierKind]]:
    """`mask_text` for a column of values in one scan (faster than value by value), e.g. with the column name as `context`."""
    if isinstance(kinds_to_mask, str):
        raise TypeError("kinds_to_mask is a set of IdentifierKind, e.g. {IdentifierKind.SSN}")
    masked: Counter[IdentifierKind] = Counter()
    if not kinds_to_mask or not values:
        return list(values), masked
    out: list[str] = []
    for value, findings in zip(values, scan_values(values, context=context), strict=True):
        pieces: list[str] = []
        position = 0
        for finding in findings:
            if finding.kind in kinds_to_mask:
                pieces += [value[position : finding.start], finding.kind.token]
                position = finding.end
                masked[finding.kind] += 1
        out.append("".join(pieces) + value[position:] if pieces else value)
    return out, masked
