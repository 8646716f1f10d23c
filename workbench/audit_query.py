"""Audit questions answered from the ledger: who read what, when, for which purpose, with what outcome.

    answer = query_ledger(settings, AuditFilter(since=parse_instant("2026-03-08T00:00:00-05:00"),
                                                table="patients", outcome="denied"))

Time ranges are half-open, ``since <= ts < until``, compared as instants (UTC), so a range given
in any offset -- including either side of a daylight-saving change -- selects the same entries as
the same instants written in UTC, and consecutive ranges ``[a, b)`` and ``[b, c)`` never share or
miss an entry. Every entry is examined (timestamps come from writers' clocks and need not follow
seq), and results are in seq order, never clock order. Entries with equal timestamps are all in or
all out. Reading the ledger is itself recorded (action ``ledger_read``), after the read and
before the answer is returned: if that entry cannot be written, the answer is not shown.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from workbench import audit
from workbench.errors import BadInput, LedgerError, NoSession
from workbench.ledger import LEDGER_ACTIONS, OUTCOMES, Ledger, LedgerAction, LedgerEntry, Outcome
from workbench.session import Principal, current
from workbench.settings import Settings

BREAK_GLASS_ROLE: Final = "break_glass"
"""The policy role for emergency access; its entries are what `--break-glass` selects."""


_INSTANT: Final = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}(?::\d{2})?)(?:[.,](?P<frac>\d+))?(?P<offset>.*)"
)
_OFFSET: Final = re.compile(r"[Zz]|[+-]\d{2}(?::?\d{2})?")
_OFFSET_WITH_SECONDS: Final = re.compile(r"[+-]\d{2}:?\d{2}:?\d{2}([.,]\d*)?")
_WEEK_DATE: Final = re.compile(r"\d{4}-?[Ww]\d{2}")
_BARE_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_FRACTION_DIGITS: Final = 6


def parse_instant(text: str, option: str = "time") -> datetime:
    """An ISO-8601 / RFC 3339 instant with an explicit offset (``Z``, ``+00:00``, ``-05:00``), as UTC.

    ``YYYY-MM-DDTHH:MM[:SS[.ffffff]]`` then the offset; ``T`` and ``Z`` may be lower case (RFC
    3339 allows it). Refused, each with a one-line BadInput: a time without an offset (it names a
    different instant in every time zone), a bare date, more than six fractional digits (the
    ledger keeps microseconds; nothing is rounded or cut silently), an offset with seconds, and
    ISO week or ordinal dates.
    """
    stripped = text.strip()
    example = "e.g. 2026-03-08T07:00:00Z"
    match = _INSTANT.fullmatch(stripped)
    if match is None:
        if _WEEK_DATE.match(stripped):
            raise BadInput(f"{option} {text!r} is an ISO week date; write a calendar date, {example}.")
        if _BARE_DATE.fullmatch(stripped):
            raise BadInput(
                f"{option} {text!r} is a date with no time and no UTC offset; "
                f"write e.g. {stripped}T00:00:00Z or {stripped}T00:00:00-05:00."
            )
        raise BadInput(f"{option} {text!r} is not an ISO-8601 time; write {example}.")
    fraction, offset = match["frac"] or "", match["offset"]
    if len(fraction) > MAX_FRACTION_DIGITS:
        raise BadInput(
            f"{option} {text!r} has {len(fraction)} fractional digits; "
            f"at most {MAX_FRACTION_DIGITS} (microseconds) are accepted."
        )
    if not offset:
        raise BadInput(f"{option} {text!r} has no UTC offset; add one, e.g. {stripped}Z or {stripped}-05:00.")
    if _OFFSET_WITH_SECONDS.fullmatch(offset):
        raise BadInput(f"{option} {text!r} has an offset with seconds; use hours and minutes, e.g. -05:00.")
    if not _OFFSET.fullmatch(offset):
        raise BadInput(f"{option} {text!r} is not an ISO-8601 time; write {example}.")
    normal = f"{match['date']}T{match['time']}" + (f".{fraction.ljust(6, '0')}" if fraction else "")
    normal += "+00:00" if offset in ("Z", "z") else offset
    try:
        moment = datetime.fromisoformat(normal)
    except ValueError:
        raise BadInput(f"{option} {text!r} is not a valid time; write {example}.") from None
    return moment.astimezone(UTC)


def utc_text(moment: datetime) -> str:
    """The ledger's spelling of an instant: UTC, microseconds, ``+00:00``."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def entry_instant(entry: LedgerEntry) -> datetime:
    """When `entry` was recorded, as a UTC datetime; LedgerError if its stored time is unreadable."""
    try:
        moment = datetime.fromisoformat(entry.ts)
    except (TypeError, ValueError):
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise LedgerError(
            f"Ledger entry {entry.seq} has an unreadable timestamp; run `workbench ledger verify`."
        )
    return moment.astimezone(UTC)


def tables_of(entry: LedgerEntry) -> tuple[str, ...]:
    """Warehouse tables an entry names (``detail.tables`` and the table part of its columns), lower case."""
    return tuple(sorted({column.split(".", 1)[0] for column in columns_of(entry)} | _listed_tables(entry)))


def columns_of(entry: LedgerEntry) -> tuple[str, ...]:
    """``table.column`` names an entry's detail mentions (column decisions and output sources), lower case."""
    found: set[str] = set()
    columns = entry.detail.get("columns")
    if isinstance(columns, dict):  # {"patients.ssn": "mask"}
        found.update(k for k in columns if isinstance(k, str))
    elif isinstance(columns, list):  # [{"column": "patients.SSN", ...}] or ["patients.ssn"]
        for item in columns:
            name = item.get("column") if isinstance(item, dict) else item
            if isinstance(name, str):
                found.add(name)
    outputs = entry.detail.get("outputs")
    if isinstance(outputs, list):
        for output in outputs:
            sources = output.get("sources") if isinstance(output, dict) else None
            if isinstance(sources, list):
                found.update(s for s in sources if isinstance(s, str))
    return tuple(sorted(name.lower() for name in found if "." in name))


def _listed_tables(entry: LedgerEntry) -> set[str]:
    tables = entry.detail.get("tables")
    if not isinstance(tables, list):
        return set()
    return {t.lower() for t in tables if isinstance(t, str)}


def is_break_glass(entry: LedgerEntry) -> bool:
    """True for entries recorded in the emergency-access role, or marked ``break_glass`` in detail."""
    return entry.role == BREAK_GLASS_ROLE or entry.detail.get("break_glass") is True


@dataclass(frozen=True)
class AuditFilter:
    """Which entries an audit question selects; every field left as None selects everything.

    `since` is inclusive and `until` exclusive; both must be timezone-aware. `who` matches the
    actor exactly; `table` and `column` (``table.column``) match case-insensitively.
    """

    since: datetime | None = None
    until: datetime | None = None
    who: str | None = None
    table: str | None = None
    column: str | None = None
    action: LedgerAction | None = None
    outcome: Outcome | None = None
    purpose: str | None = None
    break_glass: bool = False

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            moment = getattr(self, name)
            if moment is not None and moment.utcoffset() is None:
                raise BadInput(f"The {name} time needs a UTC offset.")
        if self.action is not None and self.action not in LEDGER_ACTIONS:
            raise BadInput(f"Unknown action {self.action!r}; use one of {', '.join(LEDGER_ACTIONS)}.")
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise BadInput(f"Unknown outcome {self.outcome!r}; use one of {', '.join(OUTCOMES)}.")
        if self.column is not None and "." not in self.column:
            raise BadInput(f"Column {self.column!r} needs its table: TABLE.COLUMN.")
        if self.since is not None and self.until is not None and self.until < self.since:
            raise BadInput("The until time is before the since time; swap them.")

    def in_range(self, entry: LedgerEntry) -> bool:
        if self.since is None and self.until is None:
            return True
        moment = entry_instant(entry)
        return (self.since is None or moment >= self.since) and (self.until is None or moment < self.until)

    def matches(self, entry: LedgerEntry) -> bool:
        """True when `entry` answers the question (all given criteria hold)."""
        if self.who is not None and entry.actor != self.who:
            return False
        if self.action is not None and entry.action != self.action:
            return False
        if self.outcome is not None and entry.outcome != self.outcome:
            return False
        if self.purpose is not None and entry.purpose != self.purpose:
            return False
        if self.break_glass and not is_break_glass(entry):
            return False
        if self.table is not None and self.table.lower() not in tables_of(entry):
            return False
        if self.column is not None and self.column.lower() not in columns_of(entry):
            return False
        return self.in_range(entry)

    def to_json(self) -> dict[str, object]:
        """The criteria that were given, for the `ledger_read` entry and JSON output."""
        out: dict[str, object] = {}
        for name in ("since", "until"):
            moment = getattr(self, name)
            if moment is not None:
                out[name] = utc_text(moment)
        for name in ("who", "table", "column", "action", "outcome", "purpose"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.break_glass:
            out["break_glass"] = True
        return out


@contextlib.contextmanager
def reading(ledger: Ledger, since_seq: int = 1) -> Iterator[Iterator[LedgerEntry]]:
    """`ledger.entries(since_seq)`, closed on exit even when not read to the end (no open read transaction)."""
    stream = ledger.entries(since_seq)
    try:
        yield stream
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()


@dataclass(frozen=True)
class Coverage:
    """What an answer was taken over, and what proves it complete.

    Every stored entry first_seq..through_seq was examined. `chain_ok` is the ledger's own
    verification against every trusted signed checkpoint (`Ledger.verify`): the chain links and
    hashes, the Merkle tree reproduces each checkpoint's root, and the ledger is not shorter than
    the newest checkpoint (`kind` names a failure: edit, deletion, truncation, rewrite, ...).
    `checkpoint` is the newest trusted checkpoint the ledger reproduced: entries 1..its size are
    exactly the ones that were signed.
    """

    first_seq: int | None
    through_seq: int
    chain_ok: bool
    first_bad_seq: int | None
    kind: str | None = None
    checkpoint: dict[str, object] | None = None

    @property
    def complete(self) -> bool:
        return self.chain_ok

    def to_json(self) -> dict[str, object]:
        return {
            "first_seq": self.first_seq,
            "through_seq": self.through_seq,
            "chain_ok": self.chain_ok,
            "first_bad_seq": self.first_bad_seq,
            "kind": self.kind,
            "checkpoint": self.checkpoint,
            "complete": self.complete,
        }


ANSWER_COLUMNS: Final = ("seq", "ts (UTC)", "actor", "role", "purpose", "action", "outcome", "tables")


@dataclass(frozen=True)
class AuditAnswer:
    """The entries that matched (seq order), how many were examined, and the coverage evidence."""

    criteria: AuditFilter
    entries: tuple[LedgerEntry, ...]
    examined: int
    coverage: Coverage
    read_seq: int  # the ledger_read entry that recorded this question

    def rows(self) -> list[tuple[object, ...]]:
        """The matching entries as table rows, columns `ANSWER_COLUMNS` (CLI and notebook)."""
        return [
            (e.seq, e.ts, e.actor, e.role, e.purpose, e.action, e.outcome, ",".join(tables_of(e)) or "-")
            for e in self.entries
        ]

    def coverage_sentence(self) -> str:
        """What the answer covers and what proves it complete, in one sentence."""
        coverage = self.coverage
        span = f"entries {coverage.first_seq}..{coverage.through_seq}" if coverage.first_seq else "no entries"
        if coverage.chain_ok:
            chain = "chain intact"
        else:
            chain = f"LEDGER INTEGRITY FAILURE: {coverage.kind} at {coverage.first_bad_seq}"
        if coverage.checkpoint is None:
            anchor = "no signed checkpoint reproduced yet"
        else:
            anchor = f"signed checkpoint of entries 1..{coverage.checkpoint['size']} reproduced"
        return (
            f"{len(self.entries)} of {self.examined} entries matched; examined {span}, {chain}; "
            f"{anchor}; this read is entry {self.read_seq}."
        )

    def to_json(self) -> dict[str, object]:
        return {
            "criteria": self.criteria.to_json(),
            "entries": [entry_json(entry) for entry in self.entries],
            "matched": len(self.entries),
            "examined": self.examined,
            "coverage": self.coverage.to_json(),
            "read_seq": self.read_seq,
        }


def entry_json(entry: LedgerEntry) -> dict[str, object]:
    """An entry as a JSON object with its stored fields (the shape `workbench ledger query --json` prints)."""
    return {
        "seq": entry.seq,
        "ts": entry.ts,
        "actor": entry.actor,
        "role": entry.role,
        "purpose": entry.purpose,
        "action": entry.action,
        "outcome": entry.outcome,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def query_ledger(settings: Settings, criteria: AuditFilter) -> AuditAnswer:
    """Answer `criteria` over the whole ledger, verify it against the trusted checkpoints, record the read."""
    from workbench.siem.checkpoints import checkpoint_records, trusted_checkpoints, trusted_keys

    ledger = audit.ledger(settings)
    verification = ledger.verify(trusted_checkpoints(checkpoint_records(settings), trusted_keys(settings)))
    matched: list[LedgerEntry] = []
    examined, first_seq, last_seq = 0, None, 0
    with reading(ledger) as stream:
        for entry in stream:
            if examined == verification.entries:
                break  # appended after verification: outside the verified snapshot
            examined += 1
            first_seq = entry.seq if first_seq is None else first_seq
            last_seq = entry.seq
            if criteria.matches(entry):
                matched.append(entry)
    anchor = verification.checkpoint
    coverage = Coverage(
        first_seq,
        last_seq,
        verification.ok,
        verification.first_bad_seq,
        verification.kind,
        None if anchor is None else {"origin": anchor.origin, "size": anchor.size, "root": anchor.root_b64},
    )
    read = audit.record(
        settings,
        "ledger_read",
        "ok",
        {
            "criteria": criteria.to_json(),
            "matched": len(matched),
            "examined": examined,
            "through_seq": last_seq,
            "complete": coverage.complete,
        },
        current_principal(settings),
    )
    return AuditAnswer(criteria, tuple(matched), examined, coverage, read.seq)


def current_principal(settings: Settings) -> Principal | None:
    """Who is reading the ledger: the session's principal, or None (recorded as the OS user)."""
    with contextlib.suppress(NoSession):
        return current(settings)
    return None
