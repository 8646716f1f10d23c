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

An identifier is replaced whole (a partly recognized name must not leave its rest behind). A file
path or URL is checked segment by segment, and a segment that holds an identifier is replaced with
its file suffix kept (`/tmp/h_3f9a….csv`); the host of a URL is the recipient, not PHI, so URL and IP
findings there do not count. Tokens are not PHI: guarding twice changes nothing.

The guard runs where names enter: on each parsed statement before it is traced (SQL files, dbt
models, logged statements, whose stored copies then hold the tokens too) and on each record made
from OpenLineage events or patched in by a source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from sqlglot import exp

from workbench.detect.finding import Finding
from workbench.detect.scan import scan_text
from workbench.keys import derive_key, keyed_hash, workspace_secret
from workbench.kinds import IdentifierKind
from workbench.lineage.graph import FileRecord, Write
from workbench.lineage.sql import UNRESOLVED_TABLE, ColumnRef
from workbench.lineage.statements import FILE_PREFIX, ColumnEdge
from workbench.settings import Settings

KEY_LABEL = "lineage-name"
_TOKEN = re.compile(r"h_[0-9a-f]{16}|(\[[A-Za-z_]+\])+")
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")
_HOST_KINDS = frozenset({IdentifierKind.URL, IdentifierKind.IP})


@dataclass
class NameGuard:
    """Replaces names that look like PHI by tokens, the same token for the same name."""

    key: bytes | None = None
    _names: dict[str, str] = field(default_factory=dict, repr=False)
    _locations: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, settings: Settings) -> NameGuard:
        """The workspace's guard: tokens keyed by the workspace secret."""
        return cls(derive_key(workspace_secret(settings.secret_path), KEY_LABEL))

    # -- names ------------------------------------------------------------------------------------

    def name(self, text: str) -> str:
        """An identifier as the graph may hold it: itself, or a token when it holds an identifier."""
        known = self._names.get(text)
        if known is None:
            found = [] if _is_plain(text) else scan_text(text)
            known = self._names[text] = self._token(text, found) if found else text
        return known

    def location(self, text: str) -> str:
        """A file path or URL with every segment that holds an identifier replaced (suffix kept)."""
        known = self._locations.get(text)
        if known is None:
            known = self._locations[text] = self._location(text)
        return known

    def _location(self, text: str) -> str:
        scheme, sep, rest = text.partition("://")
        if not sep:
            scheme, rest = "", text
        parts = rest.split("/")
        marked = {
            i
            for i, part in enumerate(parts)
            if _findings(part, _HOST_KINDS if sep and i == 0 else frozenset())
        }
        # an identifier across segments (a date written 04/12/1980): every segment it touches
        starts = [0]
        for part in parts[:-1]:
            starts.append(starts[-1] + len(part) + 1)
        for finding in _findings(rest, _HOST_KINDS):
            marked.update(
                i for i, s in enumerate(starts) if s < finding.end and finding.start < s + len(parts[i])
            )
        if not marked:
            return text
        for i in marked:
            part = parts[i]
            suffix = _SUFFIX.search(part)
            stem = part[: suffix.start()] if suffix and suffix.start() > 0 else part
            kept = part[len(stem) :]
            parts[i] = self._token(part, scan_text(stem) or scan_text(part)) + kept
        return scheme + sep + "/".join(parts)

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
        return ".".join(self.name(part) for part in table.split("."))

    def column(self, ref: ColumnRef) -> ColumnRef:
        column = ref.column if ref.column == "*" else self.name(ref.column)
        guarded = ColumnRef(self.table(ref.table), column)
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
        for identifier in list(statement.find_all(exp.Identifier)):
            name = identifier.name
            guarded = self.location(name) if name.startswith("@") else self.name(name)
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
