"""The PHI detection engine: any text in, `Finding`s out, in one of two modes.

- ``fast``: the pattern, dictionary and context recognizers of `workbench.detect.recognizers` only,
  no NLP model (table cells, MCP payloads, the governed query's result scan).
- ``default``: the same, plus spaCy's named-entity recognizer (`workbench.detect.ner`) as a second
  opinion on the lines where the fast recognizers leave capitalized words unexplained: words that
  are neither common English, nor clinical vocabulary, nor inside a finding. Lines that hold none
  are not sent to the model, which is most of the speed of this mode.

Odd input never crashes the engine: bytes are decoded as UTF-8 with invalid sequences replaced,
lone surrogates become U+FFFD (offsets still count code points of the text given), stretches of binary
junk (replacement and control characters) get the pattern recognizers only, and long texts are
cut into overlapping chunks (spaCy refuses texts over a million characters, and NER needs about 1 GB
per 100,000) whose findings are mapped back to offsets in the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from workbench.detect.finding import Finding
from workbench.detect.lexicon import UNCOMMON_WORD, evidence
from workbench.detect.recognizers.person_name import PERSON_NAME
from workbench.detect.scan import Scan, prepare, scan_values
from workbench.detect.spans import Spans

Mode = Literal["default", "fast"]
MODES: tuple[Mode, ...] = ("default", "fast")

CHUNK_CHARS = 50_000
OVERLAP_CHARS = 400  # longer than any identifier, so each one lies whole inside some chunk's core
MAX_NER_LINE = 5_000  # a longer "line" (a blob without newlines) is sent to NER in pieces of this size

_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters that prose and tables do not hold: replacement characters, control codes, private use.
_NOT_TEXT = re.compile("[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")
MAX_JUNK_SHARE = 0.02  # a stretch with more of those is binary: its printable runs, patterns only
_PRINTABLE_RUN = re.compile("[^\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]{6,}")
_CAPITALIZED = re.compile(r"[A-ZÀ-ÖØ-Þ][^\W\d_]{2,}")


def clean(text: str | bytes) -> str:
    """`text` as a str safe for every recognizer and for spaCy, with the same number of code points."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    return _SURROGATE.sub("\ufffd", text)


@dataclass(frozen=True)
class _Chunk:
    """``text[start:end]``; findings starting in ``[core_start, core_end)`` belong to this chunk."""

    start: int
    end: int
    core_start: int
    core_end: int


def _cut(text: str, at: int) -> int:
    """A cut near `at`: after the last newline or space in the preceding stretch, else `at` itself."""
    floor = max(0, at - OVERLAP_CHARS // 2)
    for separator in ("\n", " "):
        found = text.rfind(separator, floor, at)
        if found > 0:
            return found + 1
    return at


def chunks(text: str, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[_Chunk]:
    """Overlapping pieces of `text`, each at most `size` + `overlap` characters."""
    if len(text) <= size + overlap:
        return [_Chunk(0, len(text), 0, len(text))]
    pieces = []
    core_start = 0
    while core_start < len(text):
        core_end = len(text) if len(text) - core_start <= size else _cut(text, core_start + size)
        start = max(0, core_start - overlap)
        end = min(len(text), core_end + overlap)
        pieces.append(_Chunk(start, end, core_start, core_end))
        core_start = core_end
    return pieces


def is_binary(text: str) -> bool:
    """True when more than `MAX_JUNK_SHARE` of `text` is replacement or control characters."""
    return bool(text) and len(_NOT_TEXT.findall(text)) > MAX_JUNK_SHARE * len(text)


class _BinaryScan:
    """The findings of a binary stretch: the pattern recognizers over its printable runs (like `strings`)."""

    def __init__(self, text: str, context: Sequence[str]) -> None:
        runs = [(match.start(), match.group()) for match in _PRINTABLE_RUN.finditer(text)]
        per_run = scan_values([run for _start, run in runs], context=context, names=False)
        self.found = [
            Finding(f.kind, f.start + start, f.end + start, f.score, f.recognizer)
            for (start, _run), found in zip(runs, per_run, strict=True)
            for f in found
        ]

    def findings(self, extra: Sequence[Finding] = ()) -> list[Finding]:
        return self.found


def _unexplained_lines(text: str, findings: Sequence[Finding]) -> list[tuple[int, int]]:
    """Spans of lines holding a capitalized word that is not common English, clinical or found."""
    covered = Spans((f.start, f.end) for f in findings)
    lines = []
    position = 0
    for line in text.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        if is_binary(line):
            continue
        for match in _CAPITALIZED.finditer(line):
            word = match.group()
            word_start = start + match.start()
            if (word.isupper() and len(word) <= 4) or covered.covers(word_start):
                continue  # an abbreviation (MRN, SBP), or a word a finding already explains
            found = evidence(word)
            if found.clinical or (found.english >= UNCOMMON_WORD and not found.name_like):
                continue  # clinical, or English (a rare word such as a foreign city still goes to NER)
            following = line[match.end() :].lstrip(" '’s").split(" ", 1)[0]
            if PERSON_NAME.reject(word, following):
                continue
            for piece in range(start, end, MAX_NER_LINE):
                lines.append((piece, min(end, piece + MAX_NER_LINE)))
            break
    return lines


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    unique = {(f.start, f.end, f.kind): f for f in findings}
    return sorted(unique.values(), key=lambda f: (f.start, f.end, f.kind.value))


def detect_many(
    texts: Sequence[str | bytes], *, mode: Mode = "default", context: Sequence[str] = ()
) -> list[list[Finding]]:
    """`detect` for many texts; the default mode sends all their unexplained lines to NER in one batch."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    cleaned = [clean(text) for text in texts]
    pieces = [(number, chunk) for number, text in enumerate(cleaned) for chunk in chunks(text)]
    binary = [is_binary(cleaned[number][c.start : c.end]) for number, c in pieces]
    scans: list[Scan | _BinaryScan] = [
        _BinaryScan(cleaned[number][c.start : c.end], context)
        if junk
        else prepare(cleaned[number][c.start : c.end], context=context)
        for (number, c), junk in zip(pieces, binary, strict=True)
    ]
    first = [scan.findings() for scan in scans]
    extra: list[list[Finding]] = [[] for _ in pieces]
    if mode == "default":
        from workbench.detect.ner import entities

        requests = []  # (piece index, offset within the piece, text)
        for index, ((number, chunk), found) in enumerate(zip(pieces, first, strict=True)):
            if binary[index]:
                continue
            piece_text = cleaned[number][chunk.start : chunk.end]
            for start, end in _unexplained_lines(piece_text, found):
                requests.append((index, start, piece_text[start:end]))
        for (index, offset, _line), found in zip(requests, entities([r[2] for r in requests]), strict=True):
            extra[index] += [
                Finding(f.kind, f.start + offset, f.end + offset, f.score, f.recognizer) for f in found
            ]
    results: list[list[Finding]] = [[] for _ in cleaned]
    for index, (number, chunk) in enumerate(pieces):
        found = scans[index].findings(extra[index]) if extra[index] else first[index]
        for f in found:
            start = f.start + chunk.start
            if chunk.core_start <= start < chunk.core_end:
                results[number].append(Finding(f.kind, start, f.end + chunk.start, f.score, f.recognizer))
    return [_dedupe(found) for found in results]


def detect(text: str | bytes, *, mode: Mode = "default", context: Sequence[str] = ()) -> list[Finding]:
    """Every identifier in `text`, sorted by start; offsets in code points of `text` (decoded, if bytes).

    `context` holds words that apply to the whole text, e.g. the column name of a table cell.
    """
    return detect_many([text], mode=mode, context=context)[0]
