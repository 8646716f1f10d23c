"""Names that look like PHI never enter the column graph: they are replaced by keyed tokens.

SQL and OpenLineage events name things, and a name can hold a value: a column alias
`"123-45-6789"` or `"John Smith"`, a `COPY ... TO '/tmp/123-45-6789.csv'`, a dataset named after a
person. A `NameGuard` checks every identifier and every location of an external target with the
detection engine's fast scan (`workbench.detect.scan.scan_text`) and replaces a name that holds an
identifier by a token:

- with the workspace key (`NameGuard.of(settings)`), `h_` + 16 hex digits of a keyed hash
  (`workbench.keys.keyed_hash` under the sub-key `lineage-name`): the same name gives the same token
  wherever it appears, so edges still connect, and the name cannot be recovered;
- without a key (the pure engine, `trace_files` in tests and benchmarks), the kind's placeholder
  (`[SSN]`, `[NAME]`).

Names rarely have the word boundaries and capitals the scan relies on (`ssn_123-45-6789`,
`patient_maria_garcia`, `jane doe`), so a name the scan passes is scanned again with `_ . /` read
as spaces after NFKC, and then checked by shape: long digit runs, dates, first+last names in any
case (the rules are beside `_shapes` below).

An identifier is replaced whole (a partly recognized name must not leave its rest behind); a dotted
name (`john.smith`, table and column) is also read as a whole, and two parts that read as a name are
both replaced. A file path or URL is checked segment by segment, each segment whole (`mr.garcia`,
`pt.12345678`), and adjacent segments read together (`ssn/123-45/6789.csv`, `jane/doe/`); a segment
that holds an identifier is replaced whole, only the last one keeping an alphabetic file extension
(`/tmp/h_3f9a….csv`, never `h_….12345678`); the scheme and host of a URL are the recipient, not PHI,
and are kept as written, while user and password before the host are dropped. Tokens are not PHI:
guarding twice changes nothing.

The guard runs where names enter: on each parsed statement before it is traced (SQL files, dbt
models, logged statements, whose stored copies then hold the tokens too) and on each record made
from OpenLineage events or patched in by a source.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from sqlglot import exp

from workbench.detect.finding import Finding
from workbench.detect.lexicon import evidence, fold
from workbench.detect.scan import scan_text
from workbench.keys import derive_key, keyed_hash, workspace_secret
from workbench.kinds import IdentifierKind
from workbench.lineage.graph import FileRecord, Write
from workbench.lineage.sql import UNRESOLVED_TABLE, ColumnRef
from workbench.lineage.statements import FILE_PREFIX, ColumnEdge
from workbench.settings import Settings

KEY_LABEL = "lineage-name"
_TOKEN = re.compile(r"h_[0-9a-f]{16}|(\[[A-Za-z_]+\])+")
_SUFFIX = re.compile(r"\.[A-Za-z]{1,8}$")
_HOST_KINDS = frozenset({IdentifierKind.URL, IdentifierKind.IP})


@dataclass
class NameGuard:
    """Replaces names that look like PHI by tokens, the same token for the same name."""

    key: bytes | None = None
    _names: dict[str, str] = field(default_factory=dict, repr=False)
    _locations: dict[str, str] = field(default_factory=dict, repr=False)
    _pairs: dict[str, bool] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, settings: Settings) -> NameGuard:
        """The workspace's guard: tokens keyed by the workspace secret."""
        return cls(derive_key(workspace_secret(settings.secret_path), KEY_LABEL))

    # -- names ------------------------------------------------------------------------------------

    def name(self, text: str) -> str:
        """An identifier as the graph may hold it: itself, or a token when it holds an identifier."""
        known = self._names.get(text)
        if known is None:
            found = [] if _is_plain(text) else _name_findings(text)
            known = self._names[text] = self._token(text, found) if found else text
        return known

    def location(self, text: str) -> str:
        """A file path or URL with every segment that holds an identifier replaced (suffix kept)."""
        known = self._locations.get(text)
        if known is None:
            known = self._locations[text] = self._location(text)
        return known

    def _location(self, text: str) -> str:
        head, parts = _split_location(text)
        found: dict[int, list[Finding]] = {}
        kept: dict[int, str] = {}  # segment -> the file extension its token keeps ("" for none)
        last = len(parts) - 1
        for i, part in enumerate(parts):
            suffix = _suffix(part) if i == last else ""
            stem = part[: len(part) - len(suffix)]
            if _TOKEN.fullmatch(stem):
                continue
            # the whole segment, and its stem alone: "mr.garcia", "pt.12345678", "john.smith"
            whole = [] if _is_plain(part) else _name_findings(part)
            alone = [] if not suffix or _is_plain(stem) else _name_findings(stem)
            if whole or alone:
                found[i] = whole or alone
                # the extension is kept only when the identifier is in the stem and the extension
                # itself is no name word ("jane_doe.csv" -> "h_….csv", "mr.garcia" -> "h_…")
                kept[i] = suffix if alone and not _name_word(fold(suffix[1:])) else ""
        # an identifier across segments (a date written 04/12/1980): every segment it touches
        normal = [_normal(part) for part in parts]
        starts = [0]
        for part in normal[:-1]:
            starts.append(starts[-1] + len(part) + 1)
        joined = "/".join(normal)
        across = [f for f in scan_text(joined) if f.kind not in _HOST_KINDS] + _year_last_dates(joined)
        for finding in across:
            for i, s in enumerate(starts):
                if (
                    s < finding.end
                    and finding.start < s + len(normal[i])
                    and not _TOKEN.fullmatch(_stem(parts[i], i == last))
                ):
                    found.setdefault(i, []).append(finding)
        # ... and adjacent segments read as one name ("ssn/123-45/6789.csv", "jane/doe/")
        for i, hits in _across_segments(normal, found).items():
            if not _TOKEN.fullmatch(_stem(parts[i], i == last)):
                found.setdefault(i, []).extend(hits)
        if not found and head == text[: len(head)]:
            return text
        for i, hits in found.items():
            suffix = kept.get(i, _suffix(parts[i]) if i == last else "")
            if suffix and _name_word(fold(suffix[1:])):
                suffix = ""
            parts[i] = self._token(parts[i], hits) + suffix
        return head + "/".join(parts)

    def _token(self, text: str, found: Iterable[Finding]) -> str:
        if self.key is not None:
            return keyed_hash(self.key, text)
        kinds = sorted({f.kind for f in found}, key=lambda k: k.value) or [IdentifierKind.OTHER_ID]
        return "".join(k.token for k in kinds)

    # -- graph names ------------------------------------------------------------------------------

    def table(self, table: str) -> str:
        """A graph table (`db.schema.table`, `file:<location>`) with each part guarded."""
        if table.startswith(FILE_PREFIX):
            return FILE_PREFIX + self.location(table.removeprefix(FILE_PREFIX))
        if table == UNRESOLVED_TABLE:
            return table
        return ".".join(self.dotted(table.split(".")))

    def dotted(self, parts: list[str]) -> list[str]:
        """The parts of a dotted name guarded one by one and as a whole.

        `john.smith` (table john, column smith) or `source.clinic.jane.doe` is a person's name
        although no part is: two adjacent parts that read as one name are both tokenised.
        """
        guarded = [self.name(part) for part in parts]
        for i in range(len(parts) - 1):
            one, two = parts[i], parts[i + 1]
            if guarded[i] != one or guarded[i + 1] != two or one == "*" or two == "*":
                continue
            pair = f"{one} {two}"
            if self._pairs.get(pair) is None:
                self._pairs[pair] = _name_pair(one, two)
            if self._pairs[pair]:
                guarded[i], guarded[i + 1] = self._token(one, ()), self._token(two, ())
        return guarded

    def column(self, ref: ColumnRef) -> ColumnRef:
        if ref.table.startswith(FILE_PREFIX) or ref.table == UNRESOLVED_TABLE:
            column = ref.column if ref.column == "*" else self.name(ref.column)
            guarded = ColumnRef(self.table(ref.table), column)
        else:
            *table, column = self.dotted([*ref.table.split("."), ref.column])
            guarded = ColumnRef(".".join(table), column)
        return ref if guarded == ref else guarded

    def record(self, record: FileRecord) -> FileRecord:
        """The record with every table and column name guarded (the same record when none changes)."""
        edges: dict[ColumnEdge, int] = {}
        for edge, line in record.edges:
            source, target = self.column(edge.source), self.column(edge.target)
            if source is not edge.source or target is not edge.target:
                edge = replace(edge, source=source, target=target)
            edges.setdefault(edge, line)
        guarded = replace(
            record,
            defines={
                self.table(t): tuple(self.name(c) for c in cols) if cols is not None else None
                for t, cols in record.defines.items()
            },
            reads=tuple(dict.fromkeys(self.table(t) for t in record.reads)),
            writes=tuple(Write(self.table(w.table), w.kind, w.line, w.external) for w in record.writes),
            edges=tuple(sorted(edges.items(), key=lambda item: item[0].key)),
        )
        return record if guarded == record else guarded

    # -- SQL ----------------------------------------------------------------------------------------

    def statement(self, statement: exp.Expr) -> exp.Expr:
        """Guard, in place, every identifier of `statement` and the location it writes to; returns it."""
        dotted: dict[int, str] = {}  # identifiers of dotted names (`john.smith`) read as a whole
        for node in list(statement.find_all(exp.Column, exp.Table)):
            if not isinstance(node, (exp.Column, exp.Table)):
                continue
            parts = [p for p in node.parts if isinstance(p, exp.Identifier)]
            if len(parts) > 1 and not any(p.name.startswith("@") for p in parts):
                for part, guarded in zip(parts, self.dotted([p.name for p in parts]), strict=True):
                    if guarded != part.name:
                        dotted[id(part)] = guarded
        for identifier in list(statement.find_all(exp.Identifier)):
            name = identifier.name
            guarded = dotted.get(id(identifier)) or (
                self.location(name) if name.startswith("@") else self.name(name)
            )
            if guarded != name:
                identifier.set("this", guarded)
                identifier.set("quoted", True)  # a token is spelled exactly as made
        for literal in _destinations(statement):
            guarded = self.location(literal.name)
            if guarded != literal.name:
                literal.set("this", guarded)
        return statement


def _is_plain(text: str) -> bool:
    """Too short to hold an identifier, or a token already."""
    return len(text) < 3 or _TOKEN.fullmatch(text) is not None


def _findings(text: str, ignore: frozenset[IdentifierKind]) -> list[Finding]:
    if _is_plain(text):
        return []
    return [f for f in scan_text(text) if f.kind not in ignore]


# -- what makes a name look like PHI ------------------------------------------------------------
#
# The fast scan needs word boundaries and capitals; names have neither ("ssn_123-45-6789",
# "patient_maria_garcia"). So a name is scanned as written, then normalised (NFKC, so full-width
# digits are digits) with `_`, `.`, `/` and `\` read as spaces, and then checked by shape:
#
# - digits: a run of 7 or more digits (separators `-`, `.`, `/`, `_`, space inside the run do not
#   break it: "123-45-6789", "pt_123456789") is an identifier (MRN, SSN, phone, account), except a
#   run of years ("2019_2024"), a round number ("pop_1000000"), a code after a code-system word
#   ("snomed_44054006"), a date (next rule) and digits inside a UUID or hex digest;
# - dates: a date written year last ("04/12/1980", "04-12-1980") is a birth date as people write
#   it, always PHI-looking, also across path segments ("/exports/04/12/1980/"). A date written year
#   first ("2024-01-01", "20240101", "2024/01/01/") is how tables and folders are partitioned
#   ("encounters_20240101"), so it counts only when a person cue (dob, birth, patient, pt, mrn, ssn,
#   name, ...) is in the same name ("dob_1980-04-12", "smith_john_dob_19800412");
# - persons: two adjacent words that the name dictionaries know as a first and a last name, neither
#   a common English word ("maria_garcia", "JANE DOE", "jane doe"), or one such word beside a person
#   cue ("patient_garcia"). Casing is ignored here, which is what scanning a title-cased copy would
#   do, without the name recognizer's looser single-word rules ("First Name", "City" stay names).
#   Words under three letters and schema words the dictionaries list as names never count.
#
# The shape rules only add findings: a name the scan as written flags stays flagged (a bare alias
# "2024-01-01", a folder "dt=2024-01-01" are dates with word boundaries, as before).

_SPACER = re.compile(r"[_./\\]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORDS = re.compile(r"[^\W\d_]{2,}")  # one letter is an initial: "maria_j_garcia" is two names
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9]+(?:[-./_ ][0-9]+)*(?![0-9])")
_DIGIT_SEPARATOR = re.compile(r"[-./_ ]")
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")
_ROUND = re.compile(r"[1-9]0+")  # a round number ("pop_1000000") is a quantity, not an identifier
_YEAR_FIRST = re.compile(
    r"(?:19|20)[0-9]{2}([-./_]?)(?:0[1-9]|1[0-2])\1(?:0[1-9]|[12][0-9]|3[01])"
    r"(?:[-_T ]?[0-9]{2,6})?"  # a time after a partition date: 20240101_120000
)
_YEAR_LAST = re.compile(r"(?<![0-9])([0-9]{1,2})([-./_])([0-9]{1,2})\2((?:19|20)[0-9]{2})(?![0-9])")
_HEXLIKE = re.compile(
    r"[0-9a-fA-F]{8}[-_]?[0-9a-fA-F]{4}[-_]?[0-9a-fA-F]{4}[-_]?[0-9a-fA-F]{4}[-_]?[0-9a-fA-F]{12}"  # UUID
    r"|h_[0-9a-f]{16}|(?<![0-9a-zA-Z])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{12,}(?![0-9a-zA-Z])"
)
DIGIT_RUN = 7
# Words that say the name is about a person: a date beside them is theirs ("dob_1980-04-12").
PERSON_CUES = frozenset(
    {"patient", "pt", "dob", "birth", "birthdate", "birthday", "born", "mrn", "ssn", "name",
     "mr", "mrs", "ms", "miss"}
)  # fmt: skip
# ... and a single name word beside them is theirs ("patient_garcia"); "name" is left out here, as
# schema names pair it with anything ("name_sum").
_NAME_CUES = (PERSON_CUES - {"name"}) | {"dr"}  # "dr_smith"; no date cue: "dr_20240101" is a DR copy
# Words that name a code system: a long number after them is a code, not a person's identifier
# ("snomed_44054006"), unless a person cue is in the name too.
CODE_CUES = frozenset(
    {"snomed", "sct", "loinc", "rxnorm", "rxcui", "ndc", "cpt", "hcpcs", "icd", "cvx", "code", "concept"}
)
# Schema words of three letters or more that the name dictionaries also know as names ("min_max",
# "lat_lon", "payer_id" are no people). Shorter words never count as name words.
_SCHEMA_WORDS = frozenset(
    {"alias", "avg", "dia", "eid", "fips", "hosp", "icd", "los", "lat", "lon", "marts", "max", "med",
     "meta", "min", "mrd", "obj", "org", "payer", "sha", "sop", "sum", "sys", "tok", "udi", "uri"}
)  # fmt: skip


def _normal(text: str) -> str:
    """NFKC (full-width letters and digits as ASCII), and every decimal digit as 0-9."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


_SHAPE_KINDS = frozenset({IdentifierKind.DATE, IdentifierKind.NAME})


def _name_findings(text: str) -> list[Finding]:
    """The identifiers in a name: the scan as written, the scan of its spaced form, then its shapes."""
    found = scan_text(text)
    if found:
        return found
    normal = _normal(text)
    spaced = _SPACER.sub(" ", normal)  # not split at camel case: "dbtObj" would give a capitalized "Obj"
    if spaced != text:
        # dates and names are judged by the shape rules below, which know partition names and
        # schema words: the scanner reads a word after `name` (`name_sum`) as a person's name
        found = [f for f in scan_text(spaced) if f.kind not in _SHAPE_KINDS]
        if found:
            return found
    return _shapes(normal)


def _shape(kind: IdentifierKind, span: tuple[int, int]) -> Finding:
    return Finding(kind, span[0], span[1], 1.0, "lineage-name-shape")


def _shapes(text: str) -> list[Finding]:
    """Findings by the shape rules (digit runs, dates, person words) in a normalised name."""
    words = [fold(w) for w in _WORDS.findall(_SPACER.sub(" ", _CAMEL.sub(" ", text)))]
    cued = not PERSON_CUES.isdisjoint(words)
    coded = not cued and not CODE_CUES.isdisjoint(words)
    masked = _HEXLIKE.sub(lambda m: "x" * len(m.group()), text)
    found = _year_last_dates(masked)
    for run in _DIGIT_RUN.finditer(masked):
        digits = _DIGIT_SEPARATOR.sub("", run.group())
        if (
            len(digits) < DIGIT_RUN
            or _ROUND.fullmatch(digits)
            or any(f.start <= run.start() < f.end for f in found)
        ):
            continue
        if _YEAR_FIRST.fullmatch(run.group()):
            if cued:
                found.append(_shape(IdentifierKind.DATE, run.span()))
        elif not coded and not all(_YEAR.fullmatch(g) for g in _DIGIT_SEPARATOR.split(run.group())):
            found.append(_shape(IdentifierKind.OTHER_ID, run.span()))
    if _person_words(words):
        found.append(_shape(IdentifierKind.NAME, (0, len(text))))
    return found


def _year_last_dates(text: str) -> list[Finding]:
    """Valid dates written month/day/year or day/month/year ("04/12/1980", "31-01-1975")."""
    found = []
    for match in _YEAR_LAST.finditer(text):
        one, two = int(match.group(1)), int(match.group(3))
        if (1 <= one <= 12 and 1 <= two <= 31) or (1 <= two <= 12 and 1 <= one <= 31):
            found.append(_shape(IdentifierKind.DATE, match.span()))
    return found


def _name_word(key: str) -> bool:
    return len(key) >= 3 and key not in _SCHEMA_WORDS and key not in PERSON_CUES and evidence(key).name_like


def _person_words(keys: list[str]) -> bool:
    """Two adjacent words known as a first and a last name, or one name word beside a person cue."""
    for i, key in enumerate(keys):
        if not _name_word(key):
            continue
        if i + 1 < len(keys) and _name_word(keys[i + 1]):
            one, two = evidence(key), evidence(keys[i + 1])
            if (one.first_rank and two.last_rank) or (one.last_rank and two.first_rank):
                return True
        if (i and keys[i - 1] in _NAME_CUES) or (i + 1 < len(keys) and keys[i + 1] in _NAME_CUES):
            return True
    return False


_SINGLE_WORD = re.compile(r"[^\W\d_]{3,}")


def _name_pair(one: str, two: str) -> bool:
    """Two dotted parts that are each one word and together a first and a last name (`john.smith`).

    Only the dictionary pair rule: the detector's looser rules read ordinary table and column
    pairs (`orders.amount`, `stg_visits.provider`) as names.
    """
    if not (_SINGLE_WORD.fullmatch(one) and _SINGLE_WORD.fullmatch(two)):
        return False
    first, second = fold(one), fold(two)
    if not (_name_word(first) and _name_word(second)):
        return False
    a, b = evidence(first), evidence(second)
    return bool((a.first_rank and b.last_rank) or (a.last_rank and b.first_rank))


def _suffix(part: str) -> str:
    """The file extension of a last path segment: a dot and 1 to 8 letters ("x.csv" -> ".csv").

    Never digits ("pt.12345678" has none) and never the whole segment (".profile" has none).
    """
    suffix = _SUFFIX.search(part)
    return suffix.group() if suffix and suffix.start() > 0 else ""


def _stem(part: str, last: bool = True) -> str:
    """A path segment without its file suffix ("x.csv" -> "x"); only a last segment has one."""
    return part[: len(part) - len(_suffix(part))] if last else part


def _across_segments(normal: list[str], flagged: Iterable[int]) -> dict[int, list[Finding]]:
    """Runs of 2 or 3 adjacent segments, none flagged alone, that hold an identifier read as one.

    The segments are joined with a space and with a dash ("ssn/123-45/6789.csv" reads as
    "ssn 123-45 6789.csv", "123/45/6789" as "123-45-6789", "jane/doe" as "jane doe"). A date
    written year first across folders ("2024/01/01") is a partition, as in one name.
    """
    skip = set(flagged)
    found: dict[int, list[Finding]] = {}
    for size in (2, 3):
        skip.update(found)  # three segments only when no two of them are the identifier
        for start in range(len(normal) - size + 1):
            window = range(start, start + size)
            words = [normal[i] for i in window]
            if skip.intersection(window) or any(not w or _TOKEN.fullmatch(_stem(w)) for w in words):
                continue
            dashed = "-".join(words)
            if _YEAR_FIRST.fullmatch(dashed) or _YEAR_FIRST.fullmatch("".join(words)):
                continue
            hits = _name_findings(" ".join(words)) or [
                f for f in scan_text(dashed) if f.kind not in _HOST_KINDS and f.kind not in _SHAPE_KINDS
            ]
            if hits:
                for i in window:
                    found.setdefault(i, []).extend(hits)
    return found


def _split_location(text: str) -> tuple[str, list[str]]:
    """The part kept as written (a URL's scheme and host, credentials dropped) and the path segments.

    The host is the recipient, not PHI; the user and password before it are secrets the graph must
    not hold, and they say nothing about who received the data, so they are dropped.
    """
    scheme, sep, rest = text.partition("://")
    if not sep:
        return "", text.split("/")
    authority, slash, path = rest.partition("/")
    host = authority.rpartition("@")[2]
    return scheme + sep + host + slash, path.split("/") if slash else []


def _destinations(statement: exp.Expr) -> Iterator[exp.Literal]:
    """The string literals that name where a statement writes outside the warehouse."""
    for copy in statement.find_all(exp.Copy):
        for target in copy.args.get("files") or ():
            if isinstance(target, exp.Literal) and target.is_string:
                yield target
        this = copy.this
        if isinstance(this, exp.Table) and isinstance(this.this, exp.Literal) and this.this.is_string:
            yield this.this  # Snowflake unloads into a quoted location
    for export in statement.find_all(exp.Export):
        for prop in export.find_all(exp.Property):
            value = prop.args.get("value")
            if isinstance(value, exp.Literal) and value.is_string:
                yield value


__all__ = ["KEY_LABEL", "NameGuard"]
