"""The PHI detection engine: any text in, `Finding`s out, in one of two modes.

- ``fast``: the pattern, dictionary and context recognizers of `workbench.detect.recognizers` only,
  no NLP model (table cells, MCP payloads, the governed query's result scan).
- ``default``: the same, plus spaCy's named-entity recognizer (`workbench.detect.ner`) as a second
  opinion on the lines where the fast recognizers leave capitalized words unexplained: words that
  are neither common English, nor clinical vocabulary, nor inside a finding. Lines that hold none
  are not sent to the model, which is most of the speed of this mode.

Odd input never crashes the engine: bytes are decoded as UTF-8 with invalid sequences replaced,
lone surrogates become U+FFFD (offsets still count code points of the text given). The recognizers
read a *view* of the text with as many code points: form feeds, vertical tabs and other control
codes are spaces, a C1 code that is a Windows-1252 quote ("O\x92Brien") is that quote (its dashes
\x96/\x97 a hyphen, its double quotes \x93/\x94 a plain '"'), a replacement character between two
letters ("Pt\ufffds") an apostrophe, and one between two digits ("508\ufffd555", a cp1252 dash read
as UTF-8) a hyphen. Only windows of the text that
are mostly junk (over `MAX_JUNK_SHARE` replacement, control or private-use characters) count as
binary: they get the pattern recognizers over their printable runs; the rest of the text, names
included, is read as usual. Long texts are cut into overlapping chunks (spaCy refuses texts over a
million characters, and NER needs about 1 GB per 100,000) whose findings are mapped back to offsets
in the whole text.

Whole-text steps then run in order (`POST_STEPS`): masking tokens (``[NAME]``, ``h_`` + 16 hex)
are never findings, no name runs over `MAX_NAME_CHARS`, and dates after "DOB", "born" or "birth"
are marked as birth dates (recognizer `BIRTH_DATE`), with a birth year alone ("born in 1929")
flagged as a `DATE` (recognizer `BIRTH_YEAR`) when it makes the person 90 or older on the
reference date: Safe Harbor aggregates such years into ``90+`` (`workbench.detect.operators`).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from workbench.detect.finding import Finding
from workbench.detect.lexicon import UNCOMMON_WORD, evidence
from workbench.detect.recognizers.person_name import PERSON_NAME
from workbench.detect.scan import Scan, prepare, scan_values
from workbench.detect.spans import Spans
from workbench.kinds import IdentifierKind

Mode = Literal["default", "fast"]
MODES: tuple[Mode, ...] = ("default", "fast")

CHUNK_CHARS = 50_000
OVERLAP_CHARS = 400  # longer than any identifier, so each one lies whole inside some chunk's core
MAX_NER_LINE = 5_000  # a longer "line" (a blob without newlines) is sent to NER in pieces of this size

MAX_NER_WORD_REQUESTS = 3  # lines sent to NER for one unexplained word in a chunk; later ones get its names
NER_WINDOW = 200  # in a line longer than `LONG_LINE`, NER reads this many characters around a word
LONG_LINE = 1_000
MAX_NAME_CHARS = 100  # no personal name is longer; a longer "name" is a run of unknown capitals
BIRTH_DATE = "birth_date"  # recognizer of a date the text says is a birth date
BIRTH_YEAR = "birth_year"  # recognizer of a birth year that makes the person 90 or older

_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters that prose and tables do not hold: replacement characters, control codes, private use.
# Form feeds and vertical tabs (page and line breaks from PDFs) are white space, not junk.
_NOT_TEXT = re.compile("[\ufffd\x00-\x08\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")
MAX_JUNK_SHARE = 0.3  # a window with more of those is binary: its printable runs, patterns only
JUNK_WINDOW = 512
_PRINTABLE_RUN = re.compile("[^\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]{6,}")
_CAPITALIZED = re.compile(r"[A-ZÀ-ÖØ-Þ][^\W\d_]{2,}")


def _c1(code: int) -> str:
    """What a C1 control code read as Windows-1252 is, if printable (0x92 is a right quote), else a space."""
    try:
        char = bytes([code]).decode("cp1252")
    except UnicodeDecodeError:
        return " "
    return char if char.isprintable() else " "


# The recognizers' view: control codes are spaces, C1 codes are Windows-1252 punctuation, with its
# en and em dashes as hyphens and its curly double quotes as '"' (the recognizers' own characters).
_VIEW = str.maketrans(
    {code: " " for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)}
    | {code: _c1(code) for code in range(0x80, 0xA0)}
    | {0x96: "-", 0x97: "-", 0x93: '"', 0x94: '"'}
)
_REPLACED_APOSTROPHE = re.compile("(?<=[^\\W\\d_])\ufffd(?=[^\\W\\d_])")
# A replacement character between digits: a Windows-1252 dash (0x96, 0x97) read as UTF-8.
_REPLACED_DASH = re.compile("(?<=[0-9])\ufffd(?=[0-9])")


def clean(text: str | bytes) -> str:
    """`text` as a str safe for every recognizer and for spaCy, with the same number of code points."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    return _SURROGATE.sub("\ufffd", text)


def view(text: str) -> str:
    """What the recognizers read of cleaned `text`: the same length, control codes as spaces (see above)."""
    return _REPLACED_DASH.sub("-", _REPLACED_APOSTROPHE.sub("'", text.translate(_VIEW)))


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
    """True when more than `MAX_JUNK_SHARE` of `text` is replacement, control or private-use characters."""
    return bool(text) and len(_NOT_TEXT.findall(text)) > MAX_JUNK_SHARE * len(text)


def junk_spans(text: str, window: int = JUNK_WINDOW) -> list[tuple[int, int]]:
    """The stretches of `text` that are binary: runs of `window`-sized windows that are each mostly junk."""
    if not _NOT_TEXT.search(text):
        return []
    spans: list[tuple[int, int]] = []
    for start in range(0, len(text), window):
        end = min(len(text), start + window)
        if is_binary(text[start:end]):
            if spans and spans[-1][1] == start:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
    trimmed = []  # from the first junk character to the last, so that text next to junk stays text
    for start, end in spans:
        first = _NOT_TEXT.search(text, start, end)
        last = end
        while last > start and not _NOT_TEXT.match(text, last - 1):
            last -= 1
        if first:
            trimmed.append((first.start(), last))
    return trimmed


class _PieceScan:
    """One chunk's findings: every recognizer on its text, patterns only on the printable runs of its junk."""

    def __init__(self, text: str, context: Sequence[str]) -> None:
        junk = junk_spans(text)
        readable = view(text)
        if junk:  # blank the junk: names and NER read only the text around it
            pieces, position = [], 0
            for start, end in junk:
                pieces += [readable[position:start], " " * (end - start)]
                position = end
            readable = "".join(pieces) + readable[position:]
        self.text = readable
        # Almost all junk: no names, no NER, and the patterns over every printable run.
        self.binary = len(junk) == 1 and junk[0][1] - junk[0][0] >= len(text) - JUNK_WINDOW // 4
        self.scan: Scan | None = None if self.binary else prepare(readable, context=context)
        runs = [
            (match.start(), match.group())
            for start, end in ([(0, len(text))] if self.binary else junk)
            for match in _PRINTABLE_RUN.finditer(text, start, end)
        ]
        per_run = scan_values([view(run) for _start, run in runs], context=context, names=False)
        self.found = [
            Finding(f.kind, f.start + start, f.end + start, f.score, f.recognizer)
            for (start, _run), found in zip(runs, per_run, strict=True)
            for f in found
        ]

    def findings(self, extra: Sequence[Finding] = ()) -> list[Finding]:
        return (self.scan.findings(extra) if self.scan else []) + self.found


def _word_cut(text: str, at: int, start: int, end: int, forward: bool) -> int:
    """`at` moved to the nearest space within ``[start, end]`` so that NER never reads half a word."""
    at = max(start, min(end, at))
    found = text.find(" ", at, end) if forward else text.rfind(" ", start, at)
    return found if found >= 0 else (end if forward else start)


def _unexplained_lines(text: str, findings: Sequence[Finding]) -> list[tuple[int, int]]:
    """Spans for NER: lines holding a capitalized word that is not common English, clinical or found.

    In a line longer than `LONG_LINE` only the stretches around such words are sent; one word
    sends at most `MAX_NER_WORD_REQUESTS` spans per chunk (a text of one unknown word repeated
    is read a few times, not a million), and no span is longer than `MAX_NER_LINE`.
    """
    covered = Spans((f.start, f.end) for f in findings)
    requests: Counter[str] = Counter()
    lines: list[tuple[int, int]] = []
    position = 0
    for line in text.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        windows: list[tuple[int, int]] = []
        for match in _CAPITALIZED.finditer(line):
            word = match.group()
            word_start = start + match.start()
            if (word.isupper() and len(word) <= 4) or covered.covers(word_start):
                continue  # an abbreviation (MRN, SBP), or a word a finding already explains
            if requests[word.casefold()] >= MAX_NER_WORD_REQUESTS:
                continue
            found = evidence(word)
            if found.clinical or (found.english >= UNCOMMON_WORD and not found.name_like):
                continue  # clinical, or English (a rare word such as a foreign city still goes to NER)
            following = line[match.end() :].lstrip(" '’s").split(" ", 1)[0]
            if PERSON_NAME.reject(word, following):
                continue
            requests[word.casefold()] += 1
            if end - start <= LONG_LINE:
                windows = [(start, end)]
                break
            window_start = _word_cut(text, word_start - NER_WINDOW, start, end, forward=False)
            window_end = _word_cut(text, start + match.end() + NER_WINDOW, start, end, forward=True)
            if windows and window_start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], window_end)
            else:
                windows.append((window_start, window_end))
        for window_start, window_end in windows:
            for piece in range(window_start, window_end, MAX_NER_LINE):
                lines.append((piece, min(window_end, piece + MAX_NER_LINE)))
    return lines


def _propagate_names(text: str, found: Sequence[Finding], sent: Sequence[tuple[int, int]]) -> list[Finding]:
    """NER's names found again where NER did not read: a name it saw once is a name in the rest of the chunk."""
    names = {text[f.start : f.end]: f.score for f in found if f.kind == IdentifierKind.NAME}
    if not names:
        return []
    read = Spans(sent)
    extra = []
    for name, score in list(names.items())[:100]:
        for match in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text):
            if not read.overlaps(match.start(), match.end()):
                extra.append(Finding(IdentifierKind.NAME, match.start(), match.end(), score, "spacy_ner"))
    return extra


# Tokens that masking puts in place of a value: no finding may lie inside one.
_MASK_TOKEN = re.compile(
    "|".join(re.escape(kind.token) for kind in IdentifierKind) + r"|(?<![\w])h_[0-9a-f]{16}(?![\w])"
)
_BIRTH_CONTEXT = re.compile(
    r"(?i:\bdob|\bd\.o\.b\b|date[ ]of[ ]birth|\bbirth[ ]?date|\bbirthday|\bborn|\bb\.|\byob)"
    r"[^.;\n\d]{0,12}$"
)
_BIRTH_YEAR = re.compile(
    r"(?i:\bborn|\bb\.|\byob|\bdob|\bd\.o\.b\.?|date[ ]of[ ]birth|year[ ]of[ ]birth|birth[ ]?year|birth[ ]?date|birthday)(?:[ ]+(?i:in|during|around|circa|c\.|ca\.))?"
    r"[:.,]?[ ]*(?P<year>1[89][0-9]{2}|20[0-9]{2})(?![0-9])"
)


def _drop_masking_tokens(text: str, findings: list[Finding], today: date) -> list[Finding]:
    tokens = [match.span() for match in _MASK_TOKEN.finditer(text)]
    if not tokens:
        return findings
    starts = [start for start, _end in tokens]

    def inside(finding: Finding) -> bool:
        at = bisect.bisect_right(starts, finding.start) - 1
        return at >= 0 and finding.end <= tokens[at][1]

    return [f for f in findings if not inside(f)]


def _cap_names(text: str, findings: list[Finding], today: date) -> list[Finding]:
    return [f for f in findings if f.kind != IdentifierKind.NAME or f.end - f.start <= MAX_NAME_CHARS]


def _birth_dates(text: str, findings: list[Finding], today: date) -> list[Finding]:
    """Mark dates after a birth word as `BIRTH_DATE`; add birth years that make the person 90 or older."""
    marked = [
        Finding(f.kind, f.start, f.end, f.score, BIRTH_DATE)
        if f.kind == IdentifierKind.DATE
        and f.recognizer != "age_over_89"
        and _BIRTH_CONTEXT.search(text, max(0, f.start - 40), f.start)
        else f
        for f in findings
    ]
    lowered = text.lower()
    if not any(word in lowered for word in ("born", "b.", "yob", "birth", "dob", "d.o.b")):
        return marked
    taken = Spans((f.start, f.end) for f in findings)
    for match in _BIRTH_YEAR.finditer(text):
        start, end = match.span("year")
        if today.year - int(match.group("year")) >= 90 and not taken.overlaps(start, end):
            marked.append(Finding(IdentifierKind.DATE, start, end, 0.7, BIRTH_YEAR))
    return marked


# Whole-text steps after the recognizers, in order: each takes (text, findings, reference date).
POST_STEPS: tuple[Callable[[str, list[Finding], date], list[Finding]], ...] = (
    _drop_masking_tokens,
    _cap_names,
    _birth_dates,
)


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    unique = {(f.start, f.end, f.kind): f for f in findings}
    return sorted(unique.values(), key=lambda f: (f.start, f.end, f.kind.value))


def detect_many(
    texts: Sequence[str | bytes],
    *,
    mode: Mode = "default",
    context: Sequence[str] = (),
    today: date | None = None,
) -> list[list[Finding]]:
    """`detect` for many texts; the default mode sends all their unexplained lines to NER in one batch."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    reference = today or date.today()
    cleaned = [clean(text) for text in texts]
    pieces = [(number, chunk) for number, text in enumerate(cleaned) for chunk in chunks(text)]
    scans = [_PieceScan(cleaned[number][c.start : c.end], context) for number, c in pieces]
    first = [scan.findings() for scan in scans]
    extra: list[list[Finding]] = [[] for _ in pieces]
    if mode == "default":
        from workbench.detect.ner import entities

        requests = []  # (piece index, offset within the piece, text)
        sent: list[list[tuple[int, int]]] = [[] for _ in pieces]
        for index, found in enumerate(first):
            if scans[index].binary:
                continue
            piece_text = scans[index].text
            sent[index] = _unexplained_lines(piece_text, found)
            requests += [(index, start, piece_text[start:end]) for start, end in sent[index]]
        distinct = list(dict.fromkeys(line for _index, _offset, line in requests))  # repeated lines: once
        by_line = dict(zip(distinct, entities(distinct), strict=True))
        for index, offset, line in requests:
            extra[index] += [
                Finding(f.kind, f.start + offset, f.end + offset, f.score, f.recognizer)
                for f in by_line[line]
            ]
        for index, found in enumerate(extra):
            extra[index] += _propagate_names(scans[index].text, found, sent[index])
    results: list[list[Finding]] = [[] for _ in cleaned]
    for index, (number, chunk) in enumerate(pieces):
        found = scans[index].findings(extra[index]) if extra[index] else first[index]
        for f in found:
            start = f.start + chunk.start
            if chunk.core_start <= start < chunk.core_end:
                results[number].append(Finding(f.kind, start, f.end + chunk.start, f.score, f.recognizer))
    for number, text in enumerate(cleaned):
        for step in POST_STEPS:
            results[number] = step(text, results[number], reference)
    return [_dedupe(found) for found in results]


def detect(
    text: str | bytes, *, mode: Mode = "default", context: Sequence[str] = (), today: date | None = None
) -> list[Finding]:
    """Every identifier in `text`, sorted by start; offsets in code points of `text` (decoded, if bytes).

    `context` holds words that apply to the whole text, e.g. the column name of a table cell.
    `today` is the reference date for ages (a birth year that makes someone 90 or older); default today.
    """
    return detect_many([text], mode=mode, context=context, today=today)[0]
