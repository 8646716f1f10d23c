"""Run a `NameRecognizer`: find personal names from the name dictionaries and the words around them.

Text is split into words (initials such as ``J.P.`` are one word). A name starts at a capitalized word
that a trigger introduces (a title, a relation, a label, a signature line), that a credential follows
(", RN"), or that the dictionaries know as a name and English does not use as a common word. It runs
on over capitalized words, initials, particles and runs of them ("da", "de la", "van der", "al-Saud")
and a "Last, First" comma. Scores follow the strength of the evidence; in ALL-CAPS text, where
capitals say nothing, a lone dictionary word scores below the threshold unless a context word stands
near it.

Also found: dictionary names in lower case right after a title, relation or label ("seen by dr
okafor"); given names that are English words right after a relation or role ("partner Will", scored
low); the organisation after "Employer:". Never a name: a word inside an eponymous clinical phrase
("Hunt and Hess 3", "Swan-Ganz"), a place after "born in" / "lives in", a country, a field label
before its number ("Med Rec No: 4456123"), a street between a house number and a street type.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workbench.detect.lexicon import (
    FAMOUS_NAME_RANK,
    UNCOMMON_WORD,
    countries,
    eponym_phrases,
    evidence,
    fold,
    us_states,
)
from workbench.detect.recognizer import NameRecognizer
from workbench.detect.recognizers.geo_context import PLAIN_STATE_CODES, STATE_CODES
from workbench.detect.recognizers.person_name import EPONYM_FOLLOWERS
from workbench.detect.recognizers.street_address import SUFFIXES
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
# Words after a state that make it a place, not a surname: "WASHINGTON STATE", "Texas county".
_STATE_PLACE_AFTER = EPONYM_FOLLOWERS | {"state", "states", "city", "area", "resident", "residents"}
# "MODERATE MR, MILD TR": after a severity word, "MR" and "MS" are valve lesions, not titles.
_SEVERITY = frozenset(
    {"mild", "moderate", "mod", "severe", "sev", "trace", "trivial", "minimal", "significant", "no", "mildly"}
)
_VALVE_LESIONS = frozenset({"mr", "ms", "tr", "ts", "pr", "ps", "ar", "as", "ai", "mvp", "mac"})
# Particles that follow another before the surname: "de la Cruz", "de los Angeles", "van der Berg".
_SECOND_PARTICLES = frozenset(
    {"la", "las", "los", "lo", "le", "der", "den", "des", "de", "du", "da", "di", "el"}
)
# A lower-case particle glued to a capitalized name: "al-Saud", "el-Amin", "d'Angelo", "bin-Laden".
_PREFIXED_NAME = re.compile(
    r"(?:al|el|ul|ad|ar|as|ash|at|az|abu|bin|ibn|bint|d|l|o|da|de|di|du|van|von)['’-](?=[A-ZÀ-ÖØ-Þ])"
)
# Role words before a name without a colon: "Pt Bo Wu", "Nurse Faith".
_ROLE_CUES = frozenset(
    {"pt", "patient", "nurse", "attending", "resident", "physician", "surgeon", "caller", "interpreter"}
    | {"aide", "chaplain", "therapist", "sitter", "caregiver", "pcp"}
)
# Role words after which a given name that is also an English word is still a name ("Nurse Faith").
_ROLE_COMMON_CUES = frozenset({"nurse", "aide", "chaplain", "sitter", "caregiver", "interpreter"})
# Labels after which a lower-case dictionary name is a name ("Attending: yusuf", "pt jose hernandez").
_LOWER_CASE_LABELS = frozenset(
    {"pt", "patient", "attending", "nurse", "rn", "md", "name", "np", "resident", "physician", "pcp"}
    | {"caller", "nok", "kin", "provider", "surgeon", "interpreter", "contact"}
)
_WEAK_LOWER_CASE_LABELS = frozenset({"pt", "patient"})  # need two name words or a rare one
_AFTER_CUE = re.compile(r"\.?[ ]?:?[ ]{1,2}(?=[a-zß-öø-ÿ])")
_LOWER_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_WORD_PARTS = re.compile(r"['’-]")
LOWER_CASE_RANK = 1000  # a lone lower-case word after "pt" is a name only if this popular and not English
# "Employer: Acme Roofing LLC", "works at Walmart": the capitalized words after an employer label.
_EMPLOYER = re.compile(
    r"\b(?i:employer(?:[ ]name)?|employed[ ](?:by|at|with)|works?[ ](?:for|at)|working[ ](?:for|at)"
    r"|place[ ]of[ ]employment)(?:[ ]*[:#–—-][ ]*|[ ]+)"
    r"(?P<org>[A-Z0-9][\w&'’.-]*(?:[ ](?:&[ ]|and[ ]|of[ ]|the[ ]|de[ ])?[A-Z0-9][\w&'’.-]*){0,5})"
)
_NOT_EMPLOYERS = frozenset(
    {"none", "retired", "unemployed", "self", "self-employed", "unknown", "disabled", "homemaker", "n"}
    | {"na", "student", "not", "same", "home", "no", "yes", "denies", "declined", "housewife", "on"}
)
# A name right before a record-field label is part of the label: "Med Rec No: 4456123", "Acct #".
_FIELD_AFTER = re.compile(
    r"[ ]+(?i:no|nr|num|number|id)\b\.?[ ]?(?:[:#][ ]?)?[0-9]|[ ]+(?i:no|nr|num|number|id)\b\.?[ ]?[:#]|[ ]?#[ ]?[0-9]"
)
# A place, not a person, after "born in", "lives in", "moved to", "is from".
_PLACE_BEFORE = re.compile(
    r"(?i:\b(?:born|raised|grew[ ]up|lives|living|lived|resides|residing|resided|moved|relocated|immigrated"
    r"|emigrated|native|originally|visiting|traveled|travelled|vacationed|deployed)"
    r"(?:[ ][\w,]+){0,3}?[ ](?:in|from|to|near)|\b(?:is|was|are|were|came|comes|come)[ ]from)[ ]+$"
)
# Street-type abbreviations: "Oak Ave", "Elm Rd" are streets, however popular "Ave" is as a name.
_STREET_ABBREVIATIONS = frozenset(
    {"ave", "av", "blvd", "rd", "ln", "hwy", "pkwy", "ct", "cir", "sq", "trl", "pl"}
)
_HOUSE_NUMBER_BEFORE = re.compile(r"(?<![\w/.:,-])[0-9]{1,6}[A-Za-z]?[ ]+$")
_STREET_AHEAD = re.compile(r"(?:[^\W\d_][\w'’-]*[ ]){0,2}(?i:" + SUFFIXES + r"|Falls?)s?\b")
_STREET_UNIT_AFTER = re.compile(
    r"[ ](?i:" + SUFFIXES + r"|Falls?)s?\.?,?[ ]+(?i:apt|apartment|suite|ste|unit|rm|room|fl|floor|#)"
)
_TITLE_BEFORE = re.compile(r"(?i:\b(?:dr|mr|mrs|ms|miss|prof|doctor)\.?[ ]+)$")
_SIGN_OFF = frozenset({"thanks", "thank", "regards", "sincerely", "best", "cheers", "much", "you"})

STRONG, CREDENTIAL, LABEL = 0.85, 0.8, 0.75
EMPLOYER = 0.75  # "Employer: Acme Roofing LLC": Safe Harbor names employers too
LOWER_CASE = 0.7  # "seen by dr okafor": a dictionary name in lower case after a title, relation or label
LOWER_CASE_WEAK = 0.6  # "pt jose hernandez": after "pt"/"patient" without a colon
COMMON_GIVEN = 0.45  # "partner Will", "Nurse Faith": a given name that is also an English word
SPEAKER = 0.6  # "Halldór: What a day." a given name that opens a line and a colon
COORDINATED = 0.5  # "Eklund, Michael and Hodge": a surname listed with a name already found
# What joins the names of a list: "A, B and C", "A & B", "A or B".
_COORDINATION = frozenset({", ", " and ", ", and ", " & ", " or ", " and Dr. ", " AND ", " & Dr. "})
MAX_WORDS = 4
TOP_SURNAME_RANK = 10  # a surname this popular somewhere ("Park") follows an English given name ("JOY PARK")
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
        return self.text[0].isupper() or bool(_PREFIXED_NAME.match(self.text))


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
        if len(token) > MAX_WORD_CHARS or (
            not token[0].isupper()
            and token.lower() not in vocabulary
            and not (("-" in token or "'" in token or "’" in token) and _PREFIXED_NAME.match(token))
        ):
            continue
        start, end = match.span()
        if start and text[start - 1] == "[" and text.startswith("]", end) and token.isupper():
            continue  # "[REDACTED]", "[NAME]": a placeholder that masking left, not a name
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
        | _SECOND_PARTICLES
        | _LOWER_CASE_LABELS
    )


@functools.lru_cache(maxsize=8)
def _lower_case_cues(recognizer: NameRecognizer) -> frozenset[str]:
    titles = frozenset(title.rstrip(".") for title in recognizer.titles)
    return titles | recognizer.relations | _LOWER_CASE_LABELS


@functools.lru_cache(maxsize=8)
def _lower_case_hint(recognizer: NameRecognizer) -> re.Pattern[str]:
    """A cue before a lower-case word, in a text without capitals ("seen by dr okafor")."""
    cues = sorted(_lower_case_cues(recognizer), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(cue) for cue in cues) + r")" + _AFTER_CUE.pattern)


_GRADE_AFTER = r"(?=[ ]*(?:(?:grade|class|score|scale|stage|level|group|criteria)[ ]*)?(?:[0-9]|[IV]{1,4}\b))"


@functools.cache
def _eponyms() -> tuple[re.Pattern[str], frozenset[str]]:
    """A regex of the eponymous clinical phrases, and the folded first word of each (where one can start)."""
    phrases = eponym_phrases()
    always = [phrase for phrase in phrases if not phrase.endswith(" N")]
    graded = [phrase.removesuffix(" N") for phrase in phrases if phrase.endswith(" N")]

    def alternatives(group: list[str]) -> str:
        return "|".join(re.escape(phrase).replace(r"\ ", "[ ]+") for phrase in group)

    regex = (
        r"(?i:(?:" + alternatives(always) + r")(?![\w-])"
        r"|(?:" + alternatives(graded) + r")\b" + _GRADE_AFTER + ")"
    )
    firsts = frozenset(fold(re.split(r"[ '’-]+", phrase)[0]) for phrase in always + graded)
    return re.compile(regex), firsts


_ANY_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def eponym_spans(text: str, words: Iterable[tuple[int, str]] | None = None) -> list[tuple[int, int]]:
    """Spans of eponymous clinical phrases ("Hunt and Hess", "Swan-Ganz", "Fisher 4"), not after a title.

    `words`: (start, folded word) of the words of `text` that may start a phrase, if known already.
    """
    regex, firsts = _eponyms()
    if words is None:
        words = ((match.start(), fold(match.group())) for match in _ANY_WORD.finditer(text))
    spans: list[tuple[int, int]] = []
    for start, key in words:
        if _WORD_PARTS.split(key, 1)[0] not in firsts or (spans and start < spans[-1][1]):
            continue
        match = regex.match(text, start)
        if match and not _TITLE_BEFORE.search(text, max(0, start - 12), start):
            spans.append(match.span())
    return spans


@functools.lru_cache(maxsize=8)
def _undotted(words: frozenset[str]) -> frozenset[str]:
    return frozenset(word.replace(".", "") for word in words)


class _Finder:
    def __init__(
        self, text: str, recognizer: NameRecognizer, external: bool, blocked: Sequence[tuple[int, int]]
    ) -> None:
        self.text, self.r, self.external = text, recognizer, external
        self.words = _words(text, _vocabulary(recognizer))
        self.blocked = Spans(blocked)
        eponyms = eponym_spans(text, ((word.start, word.key) for word in self.words))
        if blocked or eponyms:
            self.words = _unblocked(self.words, [*blocked, *eponyms])
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

    def nameable(
        self,
        i: int,
        *,
        strong: bool = False,
        continuing: bool = False,
        labelled: bool = False,
        state: bool = False,
    ) -> bool:
        """Word i can be part of a name: capitalized, not a function word, not rejected, not common English.

        `strong`: a title or relation introduced the name. `continuing`: word i would extend a name
        already begun, where a short capitalized word the dictionaries know ("NGUYEN THI LAN",
        "XIAO MING LI") is a name part rather than an abbreviation. `labelled`: a label introduced
        the name ("Name: DOE, JANE"), where a short capitalized dictionary name is a name too.
        `state`: a title, relation or label introduced the name, or a given name precedes word i, so a
        US state ("Dr. Washington", "KEISHA WASHINGTON") is a surname.
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
            and not ((labelled or self.particles_follow(i)) and self.short_name_start(i))
        ):
            return (
                False  # an abbreviation (BP, MRN, HTN), unless a title or relation introduces it in capitals
            )
        if key in self.r.function_words and continuing and self.title_case_name(i):
            return not self.r.reject(word.text, self.following(i))  # "Nguyen Van An"
        if key in self.r.function_words or key in self.r.credentials or key in self.r.titles:
            return False
        if not strong and not continuing and key in _STREET_ABBREVIATIONS:
            return False  # "Oak Ave": a street, however popular "Ave" is as a given name
        if not strong and self.country(i):
            return False  # "Nigeria": a country is no name, and no identifier either
        stem = key.removesuffix("'s")
        if stem in self.r.relations or (stem != key and (stem in self.r.labels or len(stem) <= 3)):
            return False  # "DAUGHTER-IN-LAW", "PT'S": who the name belongs to, not the name
        if key in self.r.eponyms and not (strong or continuing):
            return False  # "HX PARKINSON": a disease, unless "Mr. Parkinson" or "James Parkinson"
        if self.r.reject(word.text, self.following(i)) and not (state and self.state_surname(i)):
            return False
        if strong:
            return True
        return not evidence(word.text).common_word

    def state_surname(self, i: int) -> bool:
        """Word i is a US state that can be a surname here: no place word follows it ("WASHINGTON STATE")."""
        return self.words[i].key in us_states() and fold(self.following(i)) not in _STATE_PLACE_AFTER

    def title_before(self, i: int) -> bool:
        prev = self.words[i - 1].key if i else ""
        return bool(prev) and (prev in self.r.titles or prev + "." in self.r.titles)

    def verb_after_title(self, i: int) -> bool:
        """Word i is a verb or common word after "DR" ("DR AWARE", "DR MADE AWARE"), not a surname."""
        word = self.words[i]
        if word.initial or len(word.text) < 3 or word.key in self.r.particles:
            return False  # "Dr. Ó Conbhá", "DR DE LA CRUZ"
        found = evidence(word.text)
        return word.key in _ROLE_VERBS or (not found.known_name and found.english >= UNCOMMON_WORD)

    def given_before_surname(self, i: int) -> bool:
        """Word i is a given name that is also English, right before a dictionary surname ("Grace Chen").

        The surname must not be English itself ("WILL PARK IN GARAGE"), unless it is among the most
        common surnames and word i is no function word ("JOY PARK").
        """
        words = self.words
        word = words[i]
        if word.initial or i + 1 >= len(words) or self.gap(i + 1) != " ":
            return False
        after = words[i + 1]
        if after.initial or not _same_case(word.text, after.text):
            return False
        found = evidence(word.text)
        if (
            not found.common_word
            or found.clinical
            or found.first_rank is None
            or found.first_rank > FAMOUS_FIRST_NAME
            or word.key in self.r.titles
            or word.key in self.r.relations
            or word.key in self.r.labels
            or self.r.reject(word.text, after.text)
        ):
            return False
        if word.key in self.r.function_words and (word.caps_line or not word.text[1:].islower()):
            return False  # "NAME IS SVETLANA": only a title-case "Will" can be a given name
        if self.known(i + 1) and self.nameable(i + 1, continuing=True):
            return True
        surname = evidence(after.text)
        return (
            word.key not in self.r.function_words
            and surname.last_rank is not None
            and surname.last_rank <= TOP_SURNAME_RANK
            and self.nameable(i + 1, strong=True)
            and not self.title_before(i + 1)
        )

    def given_after_surname(self, i: int, j: int) -> bool:
        """Word j is a given name that is also English, after the surname at word i ("CHEN GRACE")."""
        first, word = self.words[i], self.words[j]
        if j != i + 1 or word.initial or first.initial or not _same_case(first.text, word.text):
            return False
        surname, found = evidence(first.text), evidence(word.text)
        return (
            self.known(i)
            and surname.last_rank is not None
            and surname.last_rank <= (surname.first_rank or surname.last_rank)
            and found.common_word
            and not found.clinical
            and found.first_rank is not None
            and found.first_rank <= SHORT_NAME_RANK
            and word.key not in self.r.function_words
            and word.key not in _ROLE_VERBS
            and not self.r.reject(word.text, self.following(j))
        )

    def short_name_start(self, i: int) -> bool:
        """Word i is a short capitalized name the dictionaries know well ("DOE", "ANA"), no number after."""
        word = self.words[i]
        if word.key in _STATE_KEYS or not self.known(i) or evidence(word.text).best_rank > SHORT_NAME_RANK:
            return False
        rest = self.text[word.end : word.end + 3].lstrip(" :")
        return not (rest and rest[0].isdigit())

    def particles_follow(self, i: int) -> bool:
        """Particles and a name follow word i: "ANA DE LA CRUZ"."""
        return i + 1 < len(self.words) and self.gap(i + 1) == " " and self.particle_run(i + 1) > 0

    def particle_run(self, j: int) -> int:
        """The index of the name word after the particles at word j ("de la" Cruz, "van der" Berg), or -1."""
        words = self.words
        if words[j].key not in self.r.particles:
            return -1
        k = j + 1
        if (
            k + 1 < len(words)
            and self.gap(k) == " "
            and words[k].key in _SECOND_PARTICLES
            and self.gap(k + 1) == " "
            and self.nameable(k + 1, continuing=True)
        ):
            return k + 1
        if k < len(words) and self.gap(k) == " " and self.nameable(k, continuing=True):
            return k
        return -1

    def title_case_name(self, i: int) -> bool:
        """Word i is a title-case given name after a name part, in mixed-case text ("Nguyen Van An")."""
        word = self.words[i]
        if word.caps_line or i == 0 or not (word.text[0].isupper() and word.text[1:].islower()):
            return False
        first_rank = evidence(word.text).first_rank
        before = self.words[i - 1]
        return (
            first_rank is not None
            and first_rank <= SHORT_NAME_RANK
            and (before.key in self.r.particles or self.known(i - 1))
        )

    def country(self, i: int) -> bool:
        """Word i is a country ("Nigeria") rather than a popular given name ("Jordan")."""
        word = self.words[i]
        if word.key not in countries():
            return False
        return (evidence(word.text).first_rank or 1 << 30) > FAMOUS_NAME_RANK

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
            if gap.strip(" .") or self.valve(i):
                return 0.0  # "MODERATE MR, MILD TR": a comma after "MR" makes it no title
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
        if prev in _ROLE_CUES and gap == " " and self.known(i):
            return LABEL  # "Pt Bo Wu", "Nurse Okafor"
        return 0.0

    def valve(self, i: int) -> bool:
        """Word i-1 ("MR", "MS") is a valve lesion: a severity word before it, or another lesion after it."""
        title = self.words[i - 1]
        if title.key not in _VALVE_LESIONS or not title.text.isupper():
            return False
        before = self.words[i - 2].key if i > 1 and self.gap(i - 1) == " " else ""
        return before in _SEVERITY or self.words[i].key in _VALVE_LESIONS

    def common_given_name(self, i: int) -> bool:
        """Word i is a given name that is also English, right after a relation or a role ("partner Will")."""
        word = self.words[i]
        if (
            i == 0
            or word.caps_line
            or word.initial
            or not (word.text[0].isupper() and word.text[1:].islower())
        ):
            return False
        gap, prev = self.gap(i), self.words[i - 1].key
        cue = (prev in self.r.relations and gap in (" ", ", ", ": ")) or (
            prev in _ROLE_COMMON_CUES and gap == " "
        )
        found = evidence(word.text)
        return (
            cue
            and found.first_rank is not None
            and found.first_rank <= FAMOUS_FIRST_NAME
            and not found.clinical
            and not self.r.reject(word.text, self.following(i))
        )

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

    def grow(self, i: int, *, strong: bool, cued: bool = False) -> int:
        """The index after the last word of a name starting at word i.

        `cued`: a title, relation or label introduced the name, so a state can be its surname.
        """
        j = i + 1
        parts = 1  # words of the name that are not particles
        comma_used = False
        while j < len(self.words) and parts < MAX_WORDS:
            gap = self.gap(j)
            if gap == " " and (
                self.nameable(j, continuing=True, state=cued) or self.given_after_surname(i, j)
            ):
                j += 1
                parts += 1
                continue
            after = self.particle_run(j) if gap == " " else -1
            if after > 0:
                j = after + 1
                parts += 1
                continue
            if (
                gap == ", "
                and not comma_used
                and j - i == 1
                and self.known(j)
                and not (self.words[j].key in _STATE_KEYS and self.words[j].text.isupper())
                and not self.country(j)
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
            if words[i].start < taken:
                continue
            if not words[i].text[0].isupper():
                # "Dr. van der Berg", "Dr. de la Cruz": a title before a lower-case particle
                after = self.particle_run(i) if words[i].key in self.r.particles else -1
                if after > 0 and self.trigger(i) >= STRONG:
                    end = self.grow(after, strong=True)
                    found.append((words[i].start, words[end - 1].end, STRONG))
                    taken = words[end - 1].end
                continue
            score = self.trigger(i)
            strong = score >= STRONG
            if strong and self.title_before(i) and self.verb_after_title(i):
                score, strong = 0.0, False  # "DR AWARE.", "DR MADE AWARE": a title, then no name
            state = strong or (
                i + 1 < len(words) and self.gap(i + 1) == ", " and self.first_name(i + 1)
            )  # "Patient: Washington, Keisha"
            if score and not self.nameable(i, strong=strong, labelled=True, state=state):
                score = 0.0
            if strong and self.after_relation(i) and evidence(words[i].text).common_word:
                first_rank = evidence(words[i].text).first_rank
                if first_rank is None or first_rank > FAMOUS_FIRST_NAME:
                    score = 0.0  # "WIFE REPORTS", "HCP, PHONE": no given name after the relation
            if (
                score
                and score < STRONG
                and not (self.known(i) or not evidence(words[i].text).known_name)
                and not (state and self.state_surname(i))
            ):
                score = 0.0  # a label introduces a dictionary name or an unknown word, not a common one
            if score:
                end = self.grow(i, strong=strong, cued=True)
            elif self.common_given_name(i):
                score = COMMON_GIVEN
                end = self.grow(i, strong=False)
            elif self.nameable(i) and (len(words[i].text) >= 3 or words[i].initial):
                end = self.grow(i, strong=False)
                score = self.dictionary_score(i, end)
            elif self.given_before_surname(i):
                end = self.grow(i + 1, strong=False)  # "Grace Chen", "Will Turner", "JOY PARK"
                score = self.dictionary_score(i, end) or (0.35 if words[i].caps_line else 0.6)
            else:
                continue
            if self.credential_after(end - 1):
                score = max(score, CREDENTIAL)
            elif score < STRONG and (
                _CITY_STATE_ZIP.match(self.text, words[end - 1].end) or not self.personal(i, end)
            ):
                continue
            if score and score < 0.5 and score != COMMON_GIVEN and self.context_near(i):
                score = min(1.0, max(score + CONTEXT_BOOST, 0.4))
            if score >= 0.3:
                found.append((words[i].start, words[end - 1].end, score))
                taken = words[end - 1].end
        found = self.coordinated(self.with_credentials(found))
        return _merged(found, self.lower_case_names(), self.employers())

    def personal(self, i: int, end: int) -> bool:
        """Words i..end-1, found without a title, read as a person rather than a place or a field label.

        Not a person: a place after "born in", "lives in", "is from" (a city is GEO, a country is
        nothing); a country; a field label before its number ("Med Rec No: 4456123"); a street
        between a house number and a street type ("9829 Edwards Fall"), or before a unit ("Edwards
        Fall Suite 679").
        """
        text, start, stop = self.text, self.words[i].start, self.words[end - 1].end
        if place_before(text, start):
            return False
        if fold(text[start:stop]) in countries():
            return False
        if _FIELD_AFTER.match(text, stop) or _STREET_UNIT_AFTER.match(text, stop):
            return False
        return not (
            _HOUSE_NUMBER_BEFORE.search(text, max(0, start - 12), start) and _STREET_AHEAD.match(text, start)
        )

    # --- lower case and organisations -----------------------------------------------------------------

    def lower_case_names(self) -> list[tuple[int, int, float]]:
        """Dictionary names in lower case right after a title, relation or label ("seen by dr okafor").

        After "pt" or "patient" without a colon ("pt ambulating", "pt jose hernandez") a name needs two
        dictionary words, or one rare in English and popular as a name.
        """
        cues = _lower_case_cues(self.r)
        found: list[tuple[int, int, float]] = []
        for word in self.words:
            if word.key not in cues:
                continue
            separator = _AFTER_CUE.match(self.text, word.end)
            if not separator:
                continue
            start = separator.end()
            end, count, rare = self.lower_case_name(start)
            if not count or self.blocked.overlaps(start, end):
                continue
            colon = ":" in separator.group()
            if word.key in _WEAK_LOWER_CASE_LABELS and not colon:
                if count < 2 and not rare:
                    continue
                found.append((start, end, LOWER_CASE_WEAK))
            else:
                found.append((start, end, LOWER_CASE))
        return found

    def lower_case_name(self, position: int) -> tuple[int, int, bool]:
        """(end, number of name words, whether the first is rare in English) of a lower-case name at `position`."""
        end, count, rare, particles = position, 0, False, 0
        while count < MAX_WORDS:
            match = _LOWER_WORD.match(self.text, position)
            if not match or not match.group().islower():
                break
            token, after = match.group(), match.end()
            if after < len(self.text) and self.text[after].isdigit():
                break  # "pt aaox3", a code
            key = fold(token)
            if count and particles < 2 and (key in self.r.particles or key in _SECOND_PARTICLES):
                particles += 1
            elif self.lower_case_word(token):
                if not count:
                    found = evidence(token)
                    rare = len(token) >= 4 and found.english == 0 and found.best_rank <= LOWER_CASE_RANK
                count, particles, end = count + 1, 0, after
            else:
                break
            if not self.text.startswith(" ", after):
                break
            position = after + 1
        if count:
            rest = self.text[end : end + 3].lstrip(" :")
            if rest and rest[0].isdigit():
                return end, 0, False  # "pt bp 120"
        return end, count, rare

    def lower_case_word(self, token: str) -> bool:
        """A lower-case word the dictionaries know as a name, no English, clinical or function word."""
        if len(token) < 3 or self.r.reject(token, ""):
            return False
        for part in _WORD_PARTS.split(token):
            key = fold(part)
            if (
                len(part) < 2
                or key in self.r.function_words
                or key in _vocabulary(self.r)
                or key in _STREET_ABBREVIATIONS
                or not evidence(part).name_like
            ):
                return False
        return True

    def employers(self) -> list[tuple[int, int, float]]:
        """The organisation after an employer label: "Employer: Acme Roofing LLC" (Safe Harbor names employers)."""
        lowered = self.text.lower()
        if "employ" not in lowered and "work" not in lowered:
            return []
        found: list[tuple[int, int, float]] = []
        for match in _EMPLOYER.finditer(self.text):
            start, end = match.span("org")
            words = [word.span() for word in re.finditer(r"[^ ]+", self.text[start:end])]
            while words and self.text.startswith(":", start + words[-1][1]):
                words.pop()  # "Acme LLC Phone: …": the label after the name is not part of it
            if not words:
                continue
            end = start + words[-1][1]
            while end > start and self.text[end - 1] in ".,;:":
                end -= 1
            first = fold(self.text[start : start + words[0][1]].rstrip(".,;:"))
            if end > start and first not in _NOT_EMPLOYERS and not self.blocked.overlaps(start, end):
                found.append((start, end, EMPLOYER))
        return found

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


def _same_case(first: str, second: str) -> bool:
    """Both words in capitals, or both in title case."""
    return (first.isupper() and second.isupper()) or (
        first[0].isupper() and first[1:].islower() and second[0].isupper() and second[1:].islower()
    )


def place_before(text: str, start: int) -> bool:
    """The words before `start` introduce a place: "born in", "lives in", "moved to", "is from"."""
    return bool(_PLACE_BEFORE.search(text, max(0, start - 60), start))


def _merged(
    found: list[tuple[int, int, float]], *others: list[tuple[int, int, float]]
) -> list[tuple[int, int, float]]:
    """`found` with the spans of `others` that overlap nothing kept before them, sorted."""
    kept = list(found)
    for spans in others:
        if not spans:
            continue
        taken = Spans((start, end) for start, end, _score in kept)
        kept += [span for span in spans if not taken.overlaps(span[0], span[1])]
    return sorted(kept)


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
    if not text or not (any(char.isupper() for char in text) or _lower_case_hint(recognizer).search(text)):
        return []
    return _Finder(text, recognizer, external_context, blocked).find()
