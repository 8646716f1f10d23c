"""Tag the columns of a warehouse table with the Safe Harbor identifier kinds they hold.

Column names are hints (`column_hints`), sampled values are evidence (`scan`). Only identifiers of
the patient count (or of relatives, employers and household members): a reference table of
providers, organizations, payers or facilities has no PHI columns however personal its names,
addresses and phone numbers look. Every other table, known or not, is read and judged by its values
(fail safe: a table is never cleared for lacking a recognised patient link). Sampling is bounded: at
most `sample_rows` non-null values per column, whatever the table's size.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import duckdb

from workbench.detect.column_hints import NameHint, hint_for, is_person_level, squash
from workbench.detect.scan import scan_values
from workbench.errors import UnknownTable
from workbench.kinds import IdentifierKind

__all__ = [
    "ColumnTag",
    "TableSample",
    "classify_columns",
    "classify_table",
    "is_person_level",
    "sample_table",
]

SAMPLE_SEED = 20240501
MAX_VALUE_CHARS = 2000  # longer values (notes) are cut to this many characters before scanning

WHOLE_VALUE_RATE = 0.5  # share of sampled values a recognizer must match entirely to tag the column
STRONG_SCORE = 0.5  # a finding this sure counts even inside a longer value
NOT_IDENTIFIER_OVERRIDE_RATE = 0.1  # share of values with strong findings that overrides a "not PHI" name
NAME_WEIGHT = 0.6  # how much a name hint alone is worth, in confidence

# Kinds found by dictionaries and place words, which misfire on code descriptions ("Codfish IgE Ab",
# "Hispanic or Latino"): in a column whose name says "not PHI" they count only in many values, or
# beside a sure identifier in the same value. Any key looks like OTHER_ID: for a name that says
# "someone else's key" the name decides. Every other kind counts even in one value.
_DICTIONARY_KINDS: frozenset[IdentifierKind] = frozenset({IdentifierKind.NAME, IdentifierKind.GEO})
_ANY_KEY: frozenset[IdentifierKind] = frozenset({IdentifierKind.OTHER_ID})
_TEMPORAL_TYPES = ("DATE", "TIMESTAMP")  # DuckDB DATE, TIMESTAMP...; pandas DATETIME64[NS]
_UNSCANNED_TYPES = ("BOOL", "BLOB", "BIT")  # DuckDB BOOLEAN, BLOB, BIT; pandas BOOL

_TIME_OF_DAY = re.compile(r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?")
_AGE = re.compile(r"([0-9]{1,3})(?:\.[0-9]+)?(?:\s*(?:y|yo|yr|yrs|years?))?", re.IGNORECASE)
_NINE_DIGITS = re.compile(r"[0-9]{9}")
_SNOMED_PARTITIONS = frozenset({"00", "01", "02", "10", "11", "12"})
# Verhoeff's dihedral-group tables, for the check digit of SNOMED CT identifiers.
_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)  # fmt: skip
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)  # fmt: skip


def is_snomed_id(digits: str) -> bool:
    """Whether `digits` is a well-formed SNOMED CT identifier: a known partition and a Verhoeff check digit."""
    if not digits.isdigit() or not 6 <= len(digits) <= 18 or digits[-3:-1] not in _SNOMED_PARTITIONS:
        return False
    check = 0
    for position, digit in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(digit)]]
    return check == 0


def _has_time_of_day(text: str) -> bool:
    """A clock time other than midnight: a timestamp that is more than a date."""
    return any(any(char not in "0:." for char in match.group()) for match in _TIME_OF_DAY.finditer(text))


def _age_over_89(text: str) -> bool:
    match = _AGE.fullmatch(text)
    return match is not None and int(match.group(1)) >= 90


@dataclass(frozen=True)
class ColumnTag:
    """The identifier kinds found in one column, how sure, and why; evidence never quotes a value."""

    table: str
    column: str
    kinds: tuple[IdentifierKind, ...]
    confidence: float
    evidence: str


@dataclass(frozen=True)
class TableSample:
    """The bounded sample `classify_table` examines: the column list and, per column, non-null values."""

    table: str
    columns: tuple[tuple[str, str], ...]
    values: Mapping[str, tuple[str, ...]]
    person_level: bool

    @property
    def cells(self) -> int:
        """How many cells were read; at most ``sample_rows`` per column, independent of the row count."""
        return sum(len(values) for values in self.values.values())


# (kind, recognizer name): the unit value evidence is counted in.
_Key = tuple[IdentifierKind, str]
_TYPED = "type"  # the "recognizer" of values whose column type is a date or time


@dataclass
class _Evidence:
    """What the sampled values of one column showed, per (kind, recognizer)."""

    sampled: int = 0
    distinct: int = 0
    whole: Counter[_Key] = field(default_factory=Counter)  # values a recognizer matches entirely
    strong: Counter[_Key] = field(default_factory=Counter)  # values holding a finding >= STRONG_SCORE
    any_found: Counter[_Key] = field(default_factory=Counter)  # values holding any finding
    # values where a strong dictionary finding (a name, a place) stands beside a sure identifier
    corroborated: Counter[_Key] = field(default_factory=Counter)
    date_only: int = 0  # values that are a whole date with no time of day (midnight counts as none)
    ages_over_89: int = 0  # values that are a number from 90 up (an age column's PHI)
    bare_ssns: int = 0  # 9-digit numbers the SSN recognizer accepts that are no SNOMED CT code

    def rate(self, counts: Counter[_Key], key: _Key) -> float:
        """The share of sampled values that `counts` credits to `key`."""
        return counts[key] / self.sampled if self.sampled else 0.0

    def mostly_whole(self) -> set[_Key]:
        """Recognizers that match at least `WHOLE_VALUE_RATE` of the sampled values entirely."""
        return {key for key in self.whole if self.rate(self.whole, key) >= WHOLE_VALUE_RATE}

    def describe(self, key: _Key, *, whole: bool) -> str:
        """E.g. "27/27 sampled values matched SSN (recognizer ssn)": counts and names, never a value."""
        kind, recognizer = key
        counts, verb = (self.whole, "matched") if whole else (self.any_found, "contain")
        source = "typed as a date or time" if recognizer == _TYPED else f"recognizer {recognizer}"
        return f"{counts[key]}/{self.sampled} sampled values {verb} {kind.value} ({source})"

    def summary(self, kinds: Sequence[IdentifierKind] = ()) -> str:
        """The strongest value evidence (for `kinds` only, when given), or that there was none."""
        if not self.sampled:
            return "no non-null values sampled"
        keys = [key for key in self.any_found if not kinds or key[0] in kinds]
        if not keys:
            what = ", ".join(kind.value for kind in kinds) if kinds else "any recognizer"
            return f"0/{self.sampled} sampled values matched {what}"
        best = max(keys, key=lambda key: (self.whole[key], self.any_found[key]))
        return self.describe(best, whole=self.whole[best] > 0)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _quote_table(table: str) -> str:
    """``schema.table`` or ``table``, each part quoted; a table name cannot itself contain a dot."""
    return ".".join(_quote(part) for part in table.split("."))


def _describe(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    try:
        rows = con.execute(f"DESCRIBE {_quote_table(table)}").fetchall()
    except duckdb.CatalogException:
        raise UnknownTable(table) from None
    return [(str(row[0]), str(row[1])) for row in rows]


def sample_table(con: duckdb.DuckDBPyConnection, table: str, *, sample_rows: int = 200) -> TableSample:
    """Read at most `sample_rows` non-null values of every column of `table`, in one query.

    Each column is sampled on its own (so sparse columns still yield values) by reservoir
    sampling with a fixed seed, so repeated runs see the same values; sampled values are cast to
    text, cut to `MAX_VALUE_CHARS` and stripped, and blank ones dropped. Reference tables of
    providers, organizations, payers and facilities (`is_person_level` false) are not read at all.
    """
    columns = tuple(_describe(con, table))
    person_level = is_person_level(table, [name for name, _type in columns])
    if not person_level or not columns or sample_rows <= 0:
        return TableSample(table, columns, {}, person_level)
    per_column = [
        f"(SELECT {index} AS i, left(CAST(x AS VARCHAR), {MAX_VALUE_CHARS}) AS v "
        f"FROM (SELECT {_quote(name)} AS x FROM {_quote_table(table)} WHERE {_quote(name)} IS NOT NULL) "
        f"USING SAMPLE reservoir({int(sample_rows)} ROWS) REPEATABLE ({SAMPLE_SEED}))"
        for index, (name, _type) in enumerate(columns)
    ]
    sampled: list[list[str]] = [[] for _ in columns]
    for index, value in con.execute(" UNION ALL ".join(per_column)).fetchall():
        if value.strip():
            sampled[index].append(value.strip())
    values = {name: tuple(sampled[index]) for index, (name, _type) in enumerate(columns)}
    return TableSample(table, columns, values, person_level)


def classify_table(con: duckdb.DuckDBPyConnection, table: str, *, sample_rows: int = 200) -> list[ColumnTag]:
    """A `ColumnTag` for every column of `table`, from its name and a bounded sample of its values."""
    sample = sample_table(con, table, sample_rows=sample_rows)
    return classify_columns(sample.table, sample.columns, sample.values, person_level=sample.person_level)


def _examine(column: str, column_type: str, values: Sequence[object]) -> _Evidence:
    texts = [text for text in (str(value).strip() for value in values if value is not None) if text]
    evidence = _Evidence(sampled=len(texts))
    if not texts:
        return evidence
    counts = Counter(texts)
    evidence.distinct = len(counts)
    base_type = column_type.upper()
    if base_type.startswith(_UNSCANNED_TYPES):  # nothing identifying fits in a boolean
        return evidence
    if base_type.startswith(_TEMPORAL_TYPES):
        typed = (IdentifierKind.DATE, _TYPED)
        evidence.whole[typed] = evidence.strong[typed] = evidence.any_found[typed] = len(texts)
        evidence.date_only = sum(weight for text, weight in counts.items() if not _has_time_of_day(text))
        return evidence
    distinct = list(counts)
    evidence.ages_over_89 = sum(counts[text] for text in distinct if _age_over_89(text))
    for text, findings in zip(distinct, scan_values(distinct, context=[column]), strict=True):
        weight = counts[text]
        seen: set[_Key] = set()
        strong: set[_Key] = set()
        for finding in findings:
            key = (finding.kind, finding.recognizer)
            seen.add(key)
            if finding.score >= STRONG_SCORE:
                strong.add(key)
            if finding.start == 0 and finding.end == len(text):
                evidence.whole[key] += weight
                if key == (IdentifierKind.DATE, "date") and not _has_time_of_day(text):
                    evidence.date_only += weight
        for key in seen:
            evidence.any_found[key] += weight
        for key in strong:
            evidence.strong[key] += weight
        if any(kind not in _DICTIONARY_KINDS | _ANY_KEY for kind, _recognizer in strong):
            for key in strong:
                if key[0] in _DICTIONARY_KINDS:
                    evidence.corroborated[key] += weight
    nine = [text for text in distinct if _NINE_DIGITS.fullmatch(text) and not is_snomed_id(text)]
    for text, findings in zip(nine, scan_values(nine, context=["ssn"]), strict=True):
        if any(f.kind == IdentifierKind.SSN and (f.start, f.end) == (0, len(text)) for f in findings):
            evidence.bare_ssns += counts[text]
    return evidence


# What one decision rule concludes: kinds, confidence, and the evidence notes after the name hint.
_Verdict = tuple[set[IdentifierKind], float, list[str]]


def _by_values(hint: NameHint | None, evidence: _Evidence) -> _Verdict:
    """No name hint, or free text by name: the values decide.

    Free text counts every finding; other columns count findings sure enough to stand inside a
    longer value, and recognizers that match most values entirely.
    """
    found = set(evidence.any_found if hint else evidence.strong) | evidence.mostly_whole()
    if not found:
        return set(), (0.5 if evidence.sampled else 0.0), [evidence.summary()]
    ranked = sorted(found, key=lambda key: (-evidence.any_found[key], key[1]))
    notes = [evidence.describe(key, whole=key in evidence.mostly_whole()) for key in ranked]
    confidence = max(0.5, *(evidence.rate(evidence.any_found, key) for key in found))
    return {kind for kind, _recognizer in found}, confidence, notes


def _not_identifier(
    hint: NameHint, evidence: _Evidence, ignore: frozenset[IdentifierKind] = _ANY_KEY
) -> _Verdict:
    """The name says "not PHI"; values that say otherwise win, however sparse, when they are sure.

    A column name is a hint, values are evidence: one sure finding (a phone number, an SSN, an
    e-mail, a date...) flags the column. Names and places, which dictionaries find in code
    descriptions too, need a tenth of the values, most values, or a sure identifier beside them in
    the same value. Kinds in `ignore` never override: any key looks like OTHER_ID, and a ``*_YEAR``
    column may hold timestamps. 9-digit numbers that are valid SSNs and no SNOMED CT code flag SSN
    in a tenth of the values.
    """
    mostly_whole = evidence.mostly_whole()
    override = {
        key
        for key in evidence.strong
        if key[0] not in ignore
        and (
            key[0] not in _DICTIONARY_KINDS
            or key in mostly_whole
            or evidence.corroborated[key] > 0
            or evidence.rate(evidence.strong, key) >= NOT_IDENTIFIER_OVERRIDE_RATE
        )
    }
    ssn_rate = evidence.bare_ssns / evidence.sampled if evidence.sampled else 0.0
    bare_ssns = ssn_rate >= NOT_IDENTIFIER_OVERRIDE_RATE
    if override or bare_ssns:
        notes = ["but values say otherwise"]
        for key in sorted(override, key=lambda k: (-evidence.strong[k], k[1])):
            note = evidence.describe(key, whole=key in mostly_whole)
            if key[0] in _DICTIONARY_KINDS and evidence.corroborated[key]:
                note += f", {evidence.corroborated[key]} of them beside another identifier"
            notes.append(note)
        if bare_ssns:
            notes.append(
                f"{evidence.bare_ssns}/{evidence.sampled} sampled values are 9-digit numbers valid as SSN "
                "and no SNOMED CT code (recognizer ssn)"
            )
        rates = [evidence.rate(evidence.strong, key) for key in override] + [ssn_rate if bare_ssns else 0.0]
        kinds = {kind for kind, _recognizer in override} | ({IdentifierKind.SSN} if bare_ssns else set())
        return kinds, max(0.5, *rates), notes
    summary = evidence.summary() + (", ignored" if evidence.any_found else "")
    if not evidence.sampled:
        return set(), NAME_WEIGHT, [summary]
    clean = 1 - max((evidence.rate(evidence.strong, key) for key in evidence.strong), default=0.0)
    return set(), 1 - (1 - NAME_WEIGHT) * (1 - clean), [summary]


def _year(hint: NameHint, evidence: _Evidence) -> _Verdict:
    """A year is not PHI; full dates with no time of day in a year column contradict the name: DATE.

    Timestamps with a clock time (Synthea writes ``START_YEAR`` as ``2014-10-14T04:17:47Z``) are
    read as the year the name says.
    """
    if evidence.date_only:
        rate = evidence.date_only / evidence.sampled
        note = f"{evidence.date_only}/{evidence.sampled} sampled values are full dates, not years"
        kinds, confidence, notes = _not_identifier(hint, evidence, _ANY_KEY | {IdentifierKind.DATE})
        notes = notes if kinds else ["but values say otherwise"]
        return kinds | {IdentifierKind.DATE}, max(0.5, rate, confidence if kinds else 0.0), [*notes, note]
    return _not_identifier(hint, evidence, _ANY_KEY | {IdentifierKind.DATE})


def _age(hint: NameHint, evidence: _Evidence) -> _Verdict:
    """An age is PHI (a date element) when over 89: the column is DATE when a sampled value is."""
    kinds, confidence, notes = _not_identifier(hint, evidence)
    if evidence.ages_over_89:
        rate = evidence.ages_over_89 / evidence.sampled
        note = f"{evidence.ages_over_89}/{evidence.sampled} sampled values are ages over 89"
        return kinds | {IdentifierKind.DATE}, 1 - (1 - NAME_WEIGHT) * (1 - rate), [note, *notes[1:]]
    if kinds:
        return kinds, confidence, notes
    note = f"no sampled value is an age over 89 ({evidence.sampled} sampled)"
    return set(), NAME_WEIGHT, [note]


def _identifier(hint: NameHint, evidence: _Evidence) -> _Verdict:
    """The name says which kinds; values confirm them, and add any other kind most values match.

    A UUID in a named identifier column (a member id, an insurance id) confirms it rather than
    adding OTHER_ID.
    """
    kinds = set(hint.kinds)
    confidence = NAME_WEIGHT
    notes: list[str] = []
    for key in sorted(evidence.mostly_whole(), key=lambda key: (-evidence.whole[key], key[1])):
        kind = key[0]
        confirms = kind in hint.kinds or kind == IdentifierKind.OTHER_ID
        if not confirms:
            kinds.add(kind)
        rate = evidence.rate(evidence.whole, key)
        confidence = max(confidence, 1 - (1 - NAME_WEIGHT) * (1 - rate) if confirms else rate)
        notes.append(evidence.describe(key, whole=True))
    return kinds, confidence, notes or [evidence.summary(hint.kinds)]


def _maybe_key(hint: NameHint, evidence: _Evidence) -> _Verdict:
    """An id-like name: a record key when sampled values are mostly distinct, a category code when not."""
    if evidence.sampled and evidence.distinct / evidence.sampled < 0.5:
        note = (
            f"{evidence.distinct} distinct of {evidence.sampled} sampled values: a category, not a record key"
        )
        return set(), NAME_WEIGHT, [note]
    kinds, confidence, notes = _identifier(
        NameHint("record_key", (IdentifierKind.OTHER_ID,), hint.why), evidence
    )
    distinct = f"{evidence.distinct} distinct of {evidence.sampled} sampled values: a record key"
    return kinds, confidence, [distinct, *notes] if evidence.sampled else notes


def _tag_person_column(table: str, column: str, column_type: str, values: Sequence[object]) -> ColumnTag:
    name = squash(column)
    hint = hint_for(column)
    evidence = _examine(column, column_type, values)
    if hint is None:
        label = "no name hint"
        kinds, confidence, notes = _by_values(hint, evidence)
    elif hint.role == "free_text":
        label = f"name hint '{name}' ({hint.why})"
        kinds, confidence, notes = _by_values(hint, evidence)
    elif hint.role in ("not_identifier", "description"):
        label = f"name hint '{name}': {hint.why}"
        kinds, confidence, notes = _not_identifier(hint, evidence)
    elif hint.role == "year":
        label = f"name hint '{name}': {hint.why}"
        kinds, confidence, notes = _year(hint, evidence)
    elif hint.role == "age":
        label = f"name hint '{name}' ({hint.why})"
        kinds, confidence, notes = _age(hint, evidence)
    elif hint.role == "maybe_key":
        label = f"name hint '{name}' ({hint.why})"
        kinds, confidence, notes = _maybe_key(hint, evidence)
    else:
        label = f"name hint '{name}' ({hint.why})"
        kinds, confidence, notes = _identifier(hint, evidence)
    ordered = tuple(kind for kind in IdentifierKind if kind in kinds)
    return ColumnTag(table, column, ordered, round(confidence, 3), "; ".join([label, *notes]))


def classify_columns(
    table: str,
    columns: Sequence[tuple[str, str]],
    samples: Mapping[str, Sequence[object]],
    *,
    person_level: bool,
) -> list[ColumnTag]:
    """A `ColumnTag` per ``(name, type)`` in `columns`, from names and the sampled values in `samples`.

    Pure: no database; it scans every value it is given (`sample_table` bounds them). Columns of
    a table that is not `person_level` (a reference table of providers, organizations, payers or
    facilities) get no kinds. Otherwise the column name's hint picks the rule: a named identifier
    keeps its kinds and adds any other kind that most values match; a name that says "not PHI"
    (codes, descriptions, amounts, categories, provider keys, years) yields to sure findings even
    in one value, and to names and places in a tenth of the values; free text and unhinted columns
    go by what the values hold. Confidence combines the name (worth `NAME_WEIGHT`) with the hit rate.
    """
    if not person_level:
        why = (
            f"table '{table}' is not person-level: its name says it lists providers, organizations, "
            "payers or facilities, so its names, places, numbers and ids are not patient PHI"
        )
        return [ColumnTag(table, column, (), 0.9, why) for column, _type in columns]
    return [
        _tag_person_column(table, column, column_type, samples.get(column, ()))
        for column, column_type in columns
    ]
