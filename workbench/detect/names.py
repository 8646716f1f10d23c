"""Run a `NameRecognizer`: find personal names from the name dictionaries and the words around them.

Text is split into words (initials such as ``J.P.`` are one word). A name starts at a capitalized word
that a trigger introduces (a title, a relation, a label, a signature line), that a credential follows
(", RN"), or that the dictionaries know as a name and English does not use as a common word. It runs
on over capitalized words, initials and particles ("da", "van") and a "Last, First" comma. Scores
follow the strength of the evidence; in ALL-CAPS text, where capitals say nothing, a lone
dictionary word scores below the threshold unless a context word stands near it.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.detect.lexicon import evidence, fold
from workbench.detect.recognizer import NameRecognizer
from workbench.detect.recognizers.geo_context import PLAIN_STATE_CODES, STATE_CODES
from workbench.detect.spans import Spans

_TOKEN = re.compile(
    r"(?:[^\W\d_]\.){1,3}(?![^\W\d_])"  # initials: J. or J.P.
    r"|[^\W\d_](?:[^\W\d_]|['’](?=[^\W\d_])|-(?=[^\W\d_]))*"  # words, with inner apostrophes and hyphens
)
_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_END = frozenset('.!?:;\n"“”•*>\x1e')
_STATE = "(?:" + "|".join(STATE_CODES) + ")"
# "Kristen, MA 02366", "BOSTON MA 02118", "Boston, MA": a city before a state (with a comma or a ZIP)
_CITY_STATE_ZIP = re.compile(
    r"(?:,[ ]?" + _STATE + r"(?:[ ][0-9]{5}(?:-[0-9]{4})?)?|[ ]" + _STATE + r"[ ][0-9]{5}(?:-[0-9]{4})?"
    r"|[ ](?:" + "|".join(PLAIN_STATE_CODES) + r")(?=[ ]?[).;,\n]|$))(?![\w-])"
)
# Words after "MD", "RN" that make it the subject of a sentence rather than a credential after a name.
_ROLE_VERBS = frozenset(
    [
        "aware",
        "notified",
        "paged",
        "called",
        "informed",
        "updated",
        "made",
        "at",
        "to",
        "here",
        "in",
        "present",
        "following",
        "ordered",
        "said",
        "says",
        "states",
        "stated",
        "wants",
        "will",
        "is",
        "was",
        "came",
        "saw",
        "gave",
    ]
)
_STATE_KEYS = frozenset(code.lower() for code in STATE_CODES)
_SIGN_OFF = frozenset({"thanks", "thank", "regards", "sincerely", "best", "cheers", "much", "you"})

STRONG, CREDENTIAL, LABEL = 0.85, 0.8, 0.75
SPEAKER = 0.6  # "Halldór: What a day." a given name that opens a line and a colon
COORDINATED = 0.5  # "Eklund, Michael and Hodge": a surname listed with a name already found
# What joins the names of a list: "A, B and C", "A & B", "A or B".
_COORDINATION = frozenset({", ", " and ", ", and ", " & ", " or ", " and Dr. ", " AND ", " & Dr. "})
MAX_WORDS = 4
SHORT_NAME_RANK = 300  # a two- or three-letter capitalized word this popular can go on a name ("LI")
FAMOUS_FIRST_NAME = 1000  # a common English word this popular as a given name can follow "HIS WIFE"
MAX_WORD_CHARS = 40  # longer "words" are codes or junk, never part of a name
CONTEXT_WINDOW = 40
CONTEXT_BOOST = 0.35


@dataclass
class _Word:
    start: int
    end: int
    text: str
    initial: bool
    caps_line: bool
    key: str  # folded, without a trailing dot

    @property
    def capitalized(self) -> bool:
        return self.text[0].isupper()


_NEXT_WORD = re.compile(r"(?:['’]s?)?[ ]+([^\W\d_]+)")
_LINE_BREAK = re.compile("[\n\x1e]")  # lines, and the values `scan_values` joins with \x1e
_LOWER = re.compile(r"[a-zß-öø-ÿ]")
_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ]")
# Words that matter in lower case: the rest of a lower-case text is skipped without a Python step.
_CONNECTORS = frozenset({"for", "of", "to", "by", "with", "from", "you"})


class _Lines:
    """Which lines of a text are mostly capitals, computed only for lines that hold a word of interest."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.breaks = [match.start() for match in _LINE_BREAK.finditer(text)]
        self.caps: dict[int, bool] = {}

    def caps_at(self, position: int) -> bool:
        line = bisect.bisect_left(self.breaks, position)
        if line not in self.caps:
            start = self.breaks[line - 1] + 1 if line else 0
            end = self.breaks[line] if line < len(self.breaks) else len(self.text)
            chunk = self.text[start:end]
            upper = len(_UPPER.findall(chunk))
            lower = len(_LOWER.findall(chunk))
            self.caps[line] = upper + lower >= 2 and upper / (upper + lower) > 0.7
        return self.caps[line]


def _words(text: str, vocabulary: frozenset[str]) -> list[_Word]:
    """Capitalized words and initials, and the lower-case words in `vocabulary` (triggers, particles)."""
    lines = _Lines(text)
    words = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        if len(token) > MAX_WORD_CHARS or (not token[0].isupper() and token.lower() not in vocabulary):
            continue
        start, end = match.span()
        if (start and text[start - 1].isdigit()) or (end < len(text) and text[end].isdigit()):
            continue  # a word glued to digits is part of a code (FF8163064, KMHG7J7C2), not a name
        words.append(
            _Word(start, end, token, token.endswith("."), lines.caps_at(start), fold(token.rstrip(".")))
        )
    return words


@functools.lru_cache(maxsize=8)
def _vocabulary(recognizer: NameRecognizer) -> frozenset[str]:
    return (
        recognizer.titles
        | recognizer.relations
        | recognizer.labels
        | recognizer.credentials
        | recognizer.particles
        | _SIGN_OFF
        | _CONNECTORS
    )


@functools.lru_cache(maxsize=8)
def _undotted(words: frozenset[str]) -> frozenset[str]:
    return frozenset(word.replace(".", "") for word in words)


class _Finder:
    def __init__(
        self, text: str, recognizer: NameRecognizer, external: bool, blocked: Sequence[tuple[int, int]]
    ) -> None:
        self.text, self.r, self.external = text, recognizer, external
        self.words = _words(text, _vocabulary(recognizer))
        if blocked:
            self.words = _unblocked(self.words, blocked)
        self.context = frozenset(word.lower() for word in recognizer.context)

    # --- what one word is ---------------------------------------------------------------------------

    def gap(self, i: int) -> str:
        """The text between word i-1 and word i."""
        before = self.words[i - 1].end if i > 0 else 0
        return self.text[before : self.words[i].start]

    def following(self, i: int) -> str:
        """The word right after word i in the text (past a possessive), whether or not it was kept."""
        match = _NEXT_WORD.match(self.text, self.words[i].end)
        return match.group(1) if match else ""

    def nameable(self, i: int, *, strong: bool = False, continuing: bool = False) -> bool:
        """Word i can be part of a name: capitalized, not a function word, not rejected, not common English.

        `strong`: a title or relation introduced the name. `continuing`: word i would extend a name
        already begun, where a short capitalized word the dictionaries know ("NGUYEN THI LAN",
        "XIAO MING LI") is a name part rather than an abbreviation.
        """
        word = self.words[i]
        if word.initial:
            return word.text[0].isupper() and (
                strong or continuing or fold(word.text) not in self.r.abbreviations
            )
        if not word.capitalized or (len(word.text) < 2 and word.key not in self.r.particles):
            return False
        particle = word.key in self.r.particles
        key = word.key
        if (
            word.text.isupper()
            and len(word.text) <= 3
            and not particle
            and not (strong and word.caps_line)
            and not (continuing and self.short_name_part(i))
        ):
            return (
                False  # an abbreviation (BP, MRN, HTN), unless a title or relation introduces it in capitals
            )
        if key in self.r.function_words or key in self.r.credentials or key in self.r.titles:
            return False
        stem = key.removesuffix("'s")
        if stem in self.r.relations or (stem != key and (stem in self.r.labels or len(stem) <= 3)):
            return False  # "DAUGHTER-IN-LAW", "PT'S": who the name belongs to, not the name
        if key in self.r.eponyms and not (strong or continuing):
            return False  # "HX PARKINSON": a disease, unless "Mr. Parkinson" or "James Parkinson"
        if self.r.reject(word.text, self.following(i)):
            return False
        if strong:
            return True
        return not evidence(word.text).common_word

    def short_name_part(self, i: int) -> bool:
        """Word i is a short capitalized name the dictionaries know, not followed by a number ("HR 80")."""
        word = self.words[i]
        if word.key in _STATE_KEYS or not self.known(i) or evidence(word.text).best_rank > SHORT_NAME_RANK:
            return False
        if i == 0 or not self.known(i - 1):
            return False  # "XIAO MING LI", "NGUYEN THI": after a dictionary name, not after "CONT" (POC)
        rest = self.text[word.end : word.end + 3].lstrip(" :")
        return not (rest and rest[0].isdigit())

    def first_name(self, i: int) -> bool:
        """Word i is a popular first name: "CLENAGHAN, ZACH" reads as last name, first name."""
        word = self.words[i]
        return not word.initial and self.known(i) and (evidence(word.text).first_rank or 1 << 30) <= 1000

    def known(self, i: int) -> bool:
        word = self.words[i]
        return not word.initial and evidence(word.text).name_like

    def sentence_start(self, i: int) -> bool:
        start = self.words[i].start
        before = self.text[max(0, start - 64) : start].rstrip(" \t([-–—'\"")
        return (not before and start < 64) or (bool(before) and before[-1] in _SENTENCE_END)

    # --- triggers ------------------------------------------------------------------------------------

    def trigger(self, i: int) -> float:
        """The score a name starting at word i earns from the words before it; 0 if none."""
        if i == 0:
            return SPEAKER if self.speaker(i) and not self.text[: self.words[i].start].strip() else 0.0
        gap = self.gap(i)
        if "\x1e" in gap:  # context never crosses from one scanned value to the next
            return 0.0
        prev = self.words[i - 1].key
        prev2 = self.words[i - 2].key if i > 1 else ""
        if "\n" in gap and self.speaker(i):
            return SPEAKER
        if "\n" in gap:
            # a line of its own after a sign-off ("Thanks so much,") or after a dash ("-- J.P., RN")
            between = gap.strip(" \n")
            if prev in _SIGN_OFF and between in (",", "", "!", "-", ",\n"):
                return LABEL
            if gap.rstrip(" ").endswith(("\n-- ", "\n--", "\n- ", "\n— ")) or between in ("--", "—"):
                return LABEL
            return 0.0
        if prev == "name" and gap in (" is ", " was ", " is: "):
            return LABEL  # "her name is Rubija"
        if len(gap.strip(" .,:(")) > 1 or "\n" in gap:
            if gap.strip() in ("--", "-", "—") and not self.words[i - 1].caps_line:
                return LABEL
            return 0.0
        if prev in self.r.titles or prev + "." in self.r.titles:
            return STRONG
        if prev in self.r.relations and gap in (" ", ", ", ": ", " (", " - "):
            return STRONG
        if prev in ("for", "of", "to") and prev2 in self.r.relations:
            return STRONG  # "proxy for Dawn", "wife of Tom"
        if prev in ("for", "by", "to", "with", "from") and prev2 in self.r.labels:
            return LABEL
        if prev in self.r.labels and (":" in gap or gap.strip() in ("-", ",")):
            return LABEL
        if (
            gap == " "
            and self.words[i - 1].text.isupper()
            and prev.replace(".", "") in _undotted(self.r.credentials)
            and (self.words[i].initial or self.known(i))
        ):
            return LABEL  # a credential before a dictionary name: "RN KOWALCZYK", "RN M. DUBOIS"
        if prev == "you" and prev2 == "thank":
            return LABEL
        return 0.0

    def speaker(self, i: int) -> bool:
        """Word i opens a line and a colon follows it, and it is mostly someone's given name ("Nicole:").

        Section headings ("Plan:", "Neuro:", "Endo:") are clinical, common English or more often a
        surname than a given name.
        """
        word = self.words[i]
        if word.end >= len(self.text) or self.text[word.end] != ":" or word.initial or word.caps_line:
            return False
        if self.text[self.text.rfind("\n", 0, word.start) + 1 : word.start].strip(" \t>"):
            return False
        found = evidence(word.text)
        return (
            found.name_like
            and found.first_rank is not None
            and found.first_rank <= (found.last_rank or found.first_rank)
        )

    def after_relation(self, i: int) -> bool:
        """Word i follows a relation word ("WIFE", "proxy for") rather than a title."""
        prev = self.words[i - 1].key if i else ""
        return prev in self.r.relations or (i > 1 and self.words[i - 2].key in self.r.relations)

    def credential_after(self, j: int) -> bool:
        """Word j+1 is a credential (", MD", " RN") that ends a name ending at word j."""
        if j + 1 >= len(self.words):
            return False
        gap = self.gap(j + 1)
        if gap not in (", ", " ", ","):
            return False
        after = self.words[j + 1]
        if after.key.replace(".", "") not in _undotted(self.r.credentials):
            return False
        if fold(self.following(j + 1)) in _ROLE_VERBS:
            return False  # "REFUSED AM MEDS, MD AWARE": the MD is someone who was told, not a credential
        return after.text.isupper() or after.text in ("PhD", "PharmD", "RPh", "PA-C", "MSc")

    def context_near(self, i: int) -> bool:
        if self.external:
            return True
        window = self.text[max(0, self.words[i].start - CONTEXT_WINDOW) : self.words[i].start].lower()
        return any(word in self.context for word in re.findall(r"[a-z]+", window)[-3:])

    # --- growing a name ------------------------------------------------------------------------------

    def grow(self, i: int, *, strong: bool) -> int:
        """The index after the last word of a name starting at word i."""
        j = i + 1
        comma_used = False
        while j < len(self.words) and j - i < MAX_WORDS:
            gap = self.gap(j)
            if gap == " " and self.nameable(j, continuing=True):
                j += 1
                continue
            particle = self.words[j].key in self.r.particles
            if (
                gap == " "
                and particle
                and j + 1 < len(self.words)
                and self.gap(j + 1) == " "
                and self.nameable(j + 1, continuing=True)
            ):
                j += 2
                continue
            if (
                gap == ", "
                and not comma_used
                and j - i == 1
                and self.known(j)
                and not (self.words[j].key in _STATE_KEYS and self.words[j].text.isupper())
                and not self.credential_after(j - 1)
                and (strong or self.known(i) or self.first_name(j))
            ):
                comma_used = True
                j += 1
                continue
            break
        return j

    def find(self) -> list[tuple[int, int, float]]:
        found: list[tuple[int, int, float]] = []
        taken = -1
        words = self.words
        for i in range(len(words)):
            if words[i].start < taken or not words[i].text[0].isupper():
                continue
            score = self.trigger(i)
            strong = score >= STRONG
            if score and not self.nameable(i, strong=strong):
                score = 0.0
            if strong and self.after_relation(i) and evidence(words[i].text).common_word:
                first_rank = evidence(words[i].text).first_rank
                if first_rank is None or first_rank > FAMOUS_FIRST_NAME:
                    score = 0.0  # "WIFE REPORTS", "HCP, PHONE": no given name after the relation
            if score and score < STRONG and not (self.known(i) or not evidence(words[i].text).known_name):
                score = 0.0  # a label introduces a dictionary name or an unknown word, not a common one
            if score:
                end = self.grow(i, strong=strong)
            elif self.nameable(i) and (len(words[i].text) >= 3 or words[i].initial):
                end = self.grow(i, strong=False)
                score = self.dictionary_score(i, end)
            else:
                continue
            if self.credential_after(end - 1):
                score = max(score, CREDENTIAL)
            elif score < STRONG and _CITY_STATE_ZIP.match(self.text, words[end - 1].end):
                continue
            if score and score < 0.5 and self.context_near(i):
                score = min(1.0, max(score + CONTEXT_BOOST, 0.4))
            if score >= 0.3:
                found.append((words[i].start, words[end - 1].end, score))
                taken = words[end - 1].end
        return self.coordinated(self.with_credentials(found))

    def coordinable(self, i: int) -> bool:
        """Word i can be a name listed beside another: capitalized, a known name, no clinical word.

        A list of names vouches for its members, so a surname that is also an English word ("Graves",
        "Park") counts here; clinical words, titles and function words never do.
        """
        word = self.words[i]
        return (
            not word.initial
            and len(word.text) >= 2
            and not word.caps_line
            and self.nameable(i, strong=True)
            and evidence(word.text).known_name
        )

    def coordinated(self, found: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
        """Add the unfound members of lists of names ("Eklund, Michael and Hodge") next to a found one."""
        if not found:
            return found
        by_start = {word.start: k for k, word in enumerate(self.words)}
        by_end = {word.end: k for k, word in enumerate(self.words)}
        covered = Spans((start, end) for start, end, _score in found)
        queue = [(start, end) for start, end, _score in found]
        extra: list[tuple[int, int, float]] = []
        added: set[int] = set()
        while queue:
            start, end = queue.pop()
            neighbours = []  # (word index, the text between it and the name)
            last, first = by_end.get(end), by_start.get(start)
            if last is not None and last + 1 < len(self.words):
                neighbours.append((last + 1, self.gap(last + 1)))
            if first is not None and first > 0:
                neighbours.append((first - 1, self.gap(first)))
            for k, gap in neighbours:
                word = self.words[k]
                if gap not in _COORDINATION or word.start in added or covered.covers(word.start):
                    continue
                if self.coordinable(k):
                    added.add(word.start)
                    extra.append((word.start, word.end, COORDINATED))
                    queue.append((word.start, word.end))
        return sorted(found + extra)

    def dictionary_score(self, i: int, end: int) -> float:
        known = sum(1 for k in range(i, end) if self.known(k))
        initials = sum(1 for k in range(i, end) if self.words[k].initial)
        if not known:
            # "J.S. at bedside": someone's initials (dotted capitals that are no abbreviation)
            return 0.4 if initials == end - i and len(self.words[i].text) >= 4 else 0.0
        if end - i >= 2 and any(self.gap(k) == ", " for k in range(i + 1, end)):
            return 0.6  # "Last, First"
        if self.words[i].caps_line:
            return 0.55 if known >= 2 else 0.35 if end - i - initials >= 2 else 0.2
        if known >= 2:
            return 0.75
        if end - i >= 2:
            return 0.6
        return 0.25 if self.sentence_start(i) else 0.5  # a capital at a sentence start says little

    def with_credentials(self, found: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
        """Add names that only a credential after them shows ("A.T., RN", "I. KOVÁCS, RN")."""
        starts = {start for start, _end, _score in found}
        covered = Spans((start, end) for start, end, _score in found)
        extra = []
        for j in range(len(self.words)):
            if not self.credential_after(j) or not self.nameable(j, strong=True):
                continue
            word = self.words[j]
            if not (word.initial or self.known(j) or evidence(word.text).english == 0):
                continue  # "WILL PAGE COVERING MD": an English word before a credential is no name
            i = j
            while i > 0 and j - i < MAX_WORDS - 1 and self.gap(i) in (" ", "") and self.nameable(i - 1):
                i -= 1
            start, end = self.words[i].start, self.words[j].end
            if start in starts or covered.covers(start):
                continue
            extra.append((start, end, CREDENTIAL))
        return sorted(found + extra)


def _unblocked(words: list[_Word], blocked: Sequence[tuple[int, int]]) -> list[_Word]:
    """The words outside every blocked span (another recognizer's sure finding: an address, an email)."""
    spans = sorted(blocked)
    kept = []
    k = 0
    for word in words:
        while k < len(spans) and spans[k][1] <= word.start:
            k += 1
        if k < len(spans) and spans[k][0] < word.end:
            continue
        kept.append(word)
    return kept


def find_names(
    text: str,
    recognizer: NameRecognizer,
    *,
    external_context: bool = False,
    blocked: Sequence[tuple[int, int]] = (),
) -> list[tuple[int, int, float]]:
    """(start, end, score) of every name `recognizer` finds in `text`, sorted, not overlapping.

    `external_context`: the caller's context (a column name) has one of the recognizer's context
    words. Words inside `blocked` spans (sure findings of other recognizers) are never names.
    """
    if not text or not any(char.isupper() for char in text):
        return []
    return _Finder(text, recognizer, external_context, blocked).find()
