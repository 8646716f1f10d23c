"""The column graph: a networkx MultiDiGraph of column edges, kept per source file, stored in the workspace.

Nodes are columns named `table.column` (`table.*` stands for every row of a table, or for its
columns when they are not known); parallel edges are keyed `TYPE:SUBTYPE`, so the graph holds one
edge per (source, target, type, subtype), with the files it came from.

Each source file's contribution is a `FileRecord`: its hash, the tables it defines (with their
columns), the tables it reads, what it writes and its edges. A build replaces the records of the
files it re-traced and leaves the others alone; the graph is patched edge by edge, so an update
costs in proportion to the files that changed.

Storage: `$WORKBENCH_HOME/lineage/graph.json` indexes the files and names one record file per
source file under `records/`; a record's name is a digest of its content, so records are written
first, the index is replaced atomically, and only then are unreferenced records removed.

PHI tags start at classified warehouse columns and travel along DIRECT edges (a hash turns every
kind into OTHER_ID, a generalization stops DATE and GEO and turns other kinds into OTHER_ID, a
mask or a count stops the tag); any INDIRECT edge marks its target as indirectly shaped by those
kinds, and that mark travels on along every edge.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from workbench.errors import BadInput
from workbench.kinds import IdentifierKind
from workbench.lineage.split import FileError
from workbench.lineage.sql import (
    DIRECT_SUBTYPES,
    ROW_SUBTYPES,
    UNRESOLVED_TABLE,
    ColumnRef,
    EdgeType,
    Grade,
    Subtype,
    Transform,
)
from workbench.lineage.statements import FILE_PREFIX, ColumnEdge, StatementKind

GRAPH_VERSION = 1
_GRADE_RANK: dict[str, int] = {"resolved": 0, "inferred": 1, "unresolved": 2}
_PROTECTION: dict[str | None, int] = {None: 0, "generalize": 1, "hash": 2, "count": 3, "mask": 3}
_GENERALIZED_AWAY = {IdentifierKind.DATE, IdentifierKind.GEO}


@dataclass(frozen=True)
class Write:
    """A statement that writes a table (or a file outside the warehouse)."""

    table: str
    kind: StatementKind
    line: int
    external: bool = False


@dataclass(frozen=True)
class FileRecord:
    """What one source file contributes to the graph."""

    path: str
    sha256: str
    dialect: str
    schema_digest: str
    statements: int
    errors: tuple[FileError, ...]
    defines: Mapping[str, tuple[str, ...] | None]
    reads: tuple[str, ...]
    writes: tuple[Write, ...]
    edges: tuple[tuple[ColumnEdge, int], ...]  # (edge, line of the statement)

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "dialect": self.dialect,
            "schema_digest": self.schema_digest,
            "statements": self.statements,
            "errors": [[e.line, e.col, e.message] for e in self.errors],
            "defines": {t: list(c) if c is not None else None for t, c in self.defines.items()},
            "reads": list(self.reads),
            "writes": [[w.table, w.kind, w.line, w.external] for w in self.writes],
            "edges": [_edge_row(e, line) for e, line in self.edges],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> FileRecord:
        path = str(data["path"])
        return cls(
            path=path,
            sha256=str(data["sha256"]),
            dialect=str(data["dialect"]),
            schema_digest=str(data["schema_digest"]),
            statements=int(data["statements"]),  # type: ignore[call-overload]
            errors=tuple(FileError(path, int(a), int(b), str(c)) for a, b, c in data["errors"]),  # type: ignore[attr-defined]
            defines={
                t: tuple(c) if c is not None else None
                for t, c in data["defines"].items()  # type: ignore[attr-defined]
            },
            reads=tuple(data["reads"]),  # type: ignore[call-overload,arg-type]
            writes=tuple(Write(t, k, int(n), bool(x)) for t, k, n, x in data["writes"]),  # type: ignore[attr-defined]
            edges=tuple(
                (ColumnEdge(ColumnRef(st, sc), ColumnRef(tt, tc), ty, su, gr, tr), int(line))
                for st, sc, tt, tc, ty, su, gr, tr, line in data["edges"]  # type: ignore[attr-defined]
            ),
        )


def _weakest(data: Mapping[str, object]) -> Transform | None:
    """The least protective transform of an edge over the files that give it."""
    origins: Mapping[str, tuple[Grade, Transform | None, int]] = data["origins"]  # type: ignore[assignment]
    return min((t for _, t, _ in origins.values()), key=_PROTECTION.__getitem__)


def _edge_row(edge: ColumnEdge, line: int) -> list[object]:
    source, target = edge.source, edge.target
    row: list[object] = [source.table, source.column, target.table, target.column]
    row.extend((edge.type, edge.subtype, edge.grade, edge.transform, line))
    return row


@dataclass(frozen=True)
class Reach:
    """How a downstream column is reached from the impact target: the shortest path."""

    column: str
    hops: int
    path: tuple[str, ...]
    types: tuple[str, ...]  # `TYPE:SUBTYPE` per hop
    carries: bool  # reached along edges that carry the value (not only a row-level influence)


@dataclass(frozen=True)
class NodeTags:
    """PHI kinds a column holds: carried by value (`direct`) or only shaping it (`indirect`)."""

    direct: frozenset[IdentifierKind] = frozenset()
    indirect: frozenset[IdentifierKind] = frozenset()


@dataclass
class LineageGraph:
    """The column graph of every file built into this workspace."""

    files: dict[str, FileRecord] = field(default_factory=dict)
    external_schema: dict[str, tuple[str, ...]] = field(default_factory=dict)
    graph: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph)
    _record_names: dict[str, str] = field(default_factory=dict)
    _columns: dict[str, set[str]] = field(default_factory=dict)  # table -> columns with a node
    _lookup: TableLookup | None = None  # built on first use, dropped when files change

    # -- building ---------------------------------------------------------------------------

    def replace(self, record: FileRecord) -> None:
        """Put `record` in place of the file's previous record, patching the graph edge by edge."""
        self.remove(record.path)
        self._lookup = None
        self.files[record.path] = record
        for edge, line in record.edges:
            self._add_edge(edge, record.path, line)

    def remove(self, path: str) -> None:
        self._lookup = None
        old = self.files.pop(path, None)
        self._record_names.pop(path, None)
        if old is None:
            return
        for edge, _ in old.edges:
            self._drop_edge(edge, path)

    def _add_edge(self, edge: ColumnEdge, origin: str, line: int) -> None:
        """Add `edge` from file `origin`; parallel edges are keyed `TYPE:SUBTYPE` and keep, per
        file, (grade, transform, line) in their `origins` attribute."""
        source, target = edge.source, edge.target
        source_node, target_node = f"{source.table}.{source.column}", f"{target.table}.{target.column}"
        nodes = self.graph._node  # read-only use of networkx's node dict: a load adds 100,000s of edges
        for ref, node in ((source, source_node), (target, target_node)):
            if node not in nodes:
                self.graph.add_node(node, table=ref.table, column=ref.column)
                self._columns.setdefault(ref.table, set()).add(ref.column)
        key = f"{edge.type}:{edge.subtype}"
        data = self.graph._succ[source_node].get(target_node, {}).get(key)
        if data is None:
            self.graph.add_edge(
                source_node, target_node, key=key, type=edge.type, subtype=edge.subtype,
                origins={origin: (edge.grade, edge.transform, line)},
            )  # fmt: skip
            return
        data["origins"][origin] = (edge.grade, edge.transform, line)

    def _drop_edge(self, edge: ColumnEdge, origin: str) -> None:
        source, target = str(edge.source), str(edge.target)
        key = f"{edge.type}:{edge.subtype}"
        data = self.graph.get_edge_data(source, target, key)
        if data is None:
            return
        data["origins"].pop(origin, None)
        if not data["origins"]:
            self.graph.remove_edge(source, target, key)
            for node in (source, target):
                if node in self.graph and self.graph.degree(node) == 0:
                    data = self.graph.nodes[node]
                    columns = self._columns.get(data["table"], set())
                    columns.discard(data["column"])
                    if not columns:
                        self._columns.pop(data["table"], None)
                    self.graph.remove_node(node)

    # -- reading ----------------------------------------------------------------------------

    def edges(self) -> Iterator[GraphEdge]:
        """Every edge once, sorted by (source, target, type, subtype)."""
        for source, target, _, data in sorted(self.graph.edges(keys=True, data=True), key=lambda e: e[:3]):
            yield GraphEdge(
                source=source,
                target=target,
                type=data["type"],
                subtype=data["subtype"],
                grade=min((g for g, _, _ in data["origins"].values()), key=_GRADE_RANK.__getitem__),
                transform=_weakest(data),
                origin=min(data["origins"]),
            )

    def edge_count(self) -> int:
        return int(self.graph.number_of_edges())

    def tables(self) -> dict[str, tuple[str, ...] | None]:
        """Every table the graph knows: defined by a file, read, written or in the warehouse schema."""
        known: dict[str, tuple[str, ...] | None] = dict(self.external_schema)
        for record in self.files.values():
            for table, columns in record.defines.items():
                if columns is not None or table not in known:
                    known[table] = columns
        for table in self._columns:
            known.setdefault(table, None)
        return known

    def lookup(self) -> TableLookup:
        """Tables by lower-case name (and `x` for `main.x`) and by name suffix, cached."""
        if self._lookup is None:
            self._lookup = TableLookup.of(self.tables())
        return self._lookup

    def columns_of(self, table: str) -> list[str]:
        """The columns of `table` the graph has nodes for (without `*`)."""
        return sorted(c for c in self._columns.get(table, ()) if c != "*")

    def writes(self) -> dict[str, list[tuple[Write, str]]]:
        """table -> the statements that write it, with their file."""
        found: dict[str, list[tuple[Write, str]]] = {}
        for path, record in sorted(self.files.items()):
            for write in record.writes:
                found.setdefault(write.table, []).append((write, path))
        return found

    def errors(self, paths: Iterable[str] | None = None) -> list[FileError]:
        chosen = self.files if paths is None else {p: self.files[p] for p in paths if p in self.files}
        return [e for record in chosen.values() for e in record.errors]

    # -- PHI tags ---------------------------------------------------------------------------

    def propagate(self, seeds: Mapping[str, Iterable[IdentifierKind]]) -> dict[str, NodeTags]:
        """PHI kinds of every column reached from the classified `seeds` (node -> kinds)."""
        direct: dict[str, set[IdentifierKind]] = {}
        indirect: dict[str, set[IdentifierKind]] = {}
        queue: deque[str] = deque()
        for node, kinds in seeds.items():
            if node in self.graph and kinds:
                direct.setdefault(node, set()).update(kinds)
                queue.append(node)
        while queue:
            node = queue.popleft()
            carried = direct.get(node, set())
            shaping = carried | indirect.get(node, set())
            for _, target, data in self.graph.out_edges(node, data=True):
                changed = False
                if data["type"] == "DIRECT":
                    transform = _weakest(data)
                    passed = apply_transform(carried, transform)
                    bucket = direct.setdefault(target, set())
                    if not passed <= bucket:
                        bucket |= passed
                        changed = True
                    marks = indirect.get(node, set())
                else:
                    marks = shaping
                bucket = indirect.setdefault(target, set())
                if not marks <= bucket:
                    bucket |= marks
                    changed = True
                if changed:
                    queue.append(target)
        nodes = set(direct) | set(indirect)
        return {
            n: NodeTags(
                frozenset(direct.get(n, ())), frozenset(indirect.get(n, set()) - direct.get(n, set()))
            )
            for n in nodes
            if direct.get(n) or indirect.get(n)
        }

    # -- traversal --------------------------------------------------------------------------

    def downstream(self, starts: Iterable[str]) -> dict[str, Reach]:
        """Every column reachable from `starts`, by the shortest path.

        Edges that carry a value (DIRECT) or decide it (CONDITIONAL, WINDOW) are followed on;
        row-level edges (FILTER, JOIN, GROUP_BY, SORT into `table.*`) are reported but not followed,
        since they shape which rows exist, not what a column holds. From a column `t.c`, the edges of
        `t.*` that copy every column (a `SELECT *` over a table with unknown columns) are followed too.
        """
        start_list = [s for s in dict.fromkeys(starts) if s in self.graph]
        parents: dict[str, tuple[str, str] | None] = dict.fromkeys(start_list)
        hops: dict[str, int] = dict.fromkeys(start_list, 0)
        carries: dict[str, bool] = dict.fromkeys(start_list, True)
        queue: deque[str] = deque(start_list)
        expanded: set[str] = set()
        while queue:
            node = queue.popleft()
            if node in expanded:
                continue
            expanded.add(node)
            for source, target, key, data in self._out_edges(node):
                follows = data["type"] == "DIRECT" or data["subtype"] not in ROW_SUBTYPES
                if target not in hops:
                    hops[target] = hops[node] + 1
                    parents[target] = (source, key)
                    carries[target] = follows
                    if follows:
                        queue.append(target)
                elif follows and not carries[target]:
                    carries[target] = True
                    queue.append(target)
        reached: dict[str, Reach] = {}
        for node, distance in hops.items():
            path, types = [node], []
            current = node
            while parents.get(current) is not None:
                previous, key = parents[current]  # type: ignore[misc]
                types.append(key)
                path.append(previous)
                current = previous
            reached[node] = Reach(
                node, distance, tuple(reversed(path)), tuple(reversed(types)), carries[node]
            )
        return reached

    def _out_edges(self, node: str) -> Iterator[tuple[str, str, str, dict[str, object]]]:
        yield from self.graph.out_edges(node, keys=True, data=True)
        data = self.graph.nodes[node]
        if data["column"] != "*":
            star = f"{data['table']}.*"
            if star in self.graph and star != node:
                for source, target, key, edge in self.graph.out_edges(star, keys=True, data=True):
                    if edge["type"] == "DIRECT":
                        yield source, target, key, edge

    # -- storage ----------------------------------------------------------------------------

    @classmethod
    def load(cls, folder: Path) -> LineageGraph:
        """The stored graph (empty when nothing was built yet), read under a shared lock."""
        with locked(folder, exclusive=False), collection_deferred():
            return cls._load(folder)

    @classmethod
    def _load(cls, folder: Path) -> LineageGraph:
        index_path = folder / "graph.json"
        graph = cls()
        try:
            index = json.loads(index_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return graph
        except (OSError, ValueError) as exc:
            raise BadInput(
                f"The lineage graph at {index_path} is unreadable ({type(exc).__name__}); "
                "delete the lineage folder and run `workbench lineage build` again."
            ) from None
        if index.get("version") != GRAPH_VERSION:
            raise BadInput(
                f"The lineage graph at {index_path} has version {index.get('version')!r}; "
                "delete the lineage folder and run `workbench lineage build` again."
            )
        graph.external_schema = {t: tuple(c) for t, c in index.get("external_schema", {}).items()}
        for stored, name in sorted(index.get("files", {}).items()):
            path = from_stored(stored, folder)
            try:
                data = json.loads((folder / "records" / f"{name}.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raise BadInput(
                    f"A lineage record of {index_path} is missing or damaged; "
                    "delete the lineage folder and run `workbench lineage build` again."
                ) from None
            data["path"] = from_stored(str(data["path"]), folder)
            graph.replace(FileRecord.from_json(data))
            graph._record_names[path] = name
        return graph

    def save(self, folder: Path) -> None:
        """Write new records, then replace the index atomically, then drop unreferenced records."""
        records = folder / "records"
        records.mkdir(parents=True, exist_ok=True)
        for path, record in self.files.items():
            if path in self._record_names:
                continue
            data = record.to_json()
            data["path"] = to_stored(path, folder)
            name = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]
            target = records / f"{name}.json"
            if not target.exists():
                _write_atomic(target, json.dumps(data, ensure_ascii=False))
            self._record_names[path] = name
        index = {
            "version": GRAPH_VERSION,
            "external_schema": {t: list(c) for t, c in sorted(self.external_schema.items())},
            "files": dict(sorted((to_stored(p, folder), n) for p, n in self._record_names.items())),
        }
        _write_atomic(folder / "graph.json", json.dumps(index, ensure_ascii=False, indent=1))
        keep = {f"{name}.json" for name in self._record_names.values()}
        for stale in records.glob("*.json"):
            if stale.name not in keep:
                stale.unlink(missing_ok=True)

    def forget_record_names(self, paths: Iterable[str]) -> None:
        """Mark records as changed so that `save` writes them."""
        for path in paths:
            self._record_names.pop(path, None)


# Files the workspace writes itself (dbt models, logged statements) are stored relative to the
# lineage folder, so a copied or moved workspace reads its own files, never the old one's.
WORKSPACE_MARK = "$lineage/"


def to_stored(path: str, folder: Path) -> str:
    """`path` as stored: relative to the lineage `folder` (marked) when it lies under it."""
    prefix = str(folder) + os.sep
    return WORKSPACE_MARK + path[len(prefix) :] if path.startswith(prefix) else path


def from_stored(stored: str, folder: Path) -> str:
    """The path a stored name means in the workspace whose lineage folder is `folder`."""
    if stored.startswith(WORKSPACE_MARK):
        return str(folder / stored[len(WORKSPACE_MARK) :])
    return stored


@dataclass(frozen=True)
class TableLookup:
    """The graph's tables indexed for resolving a name a person types."""

    known: Mapping[str, tuple[str, ...] | None]
    by_name: Mapping[str, list[str]]  # lower-case name, and `x` for `main.x` -> tables
    by_suffix: Mapping[str, list[str]]  # `schema.table` or `table` -> tables ending with it

    @classmethod
    def of(cls, known: Mapping[str, tuple[str, ...] | None]) -> TableLookup:
        by_name: dict[str, list[str]] = {}
        by_suffix: dict[str, list[str]] = {}
        for table in known:
            lowered = table.lower()
            by_name.setdefault(lowered, []).append(table)
            key = warehouse_key(table)
            if key is not None and "." not in key and key != lowered:
                by_name.setdefault(key, []).append(table)
            pieces = lowered.split(".")
            for i in range(1, len(pieces)):
                by_suffix.setdefault(".".join(pieces[i:]), []).append(table)
        return cls(known, by_name, by_suffix)


@dataclass(frozen=True)
class GraphEdge:
    """One edge as `workbench lineage edges` prints it."""

    source: str
    target: str
    type: EdgeType
    subtype: Subtype
    grade: Grade
    transform: Transform | None
    origin: str

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "target": self.target,
            "type": self.type,
            "subtype": self.subtype,
            "grade": self.grade,
            "transform": self.transform,
            "origin": self.origin,
        }


def apply_transform(kinds: set[IdentifierKind], transform: str | None) -> set[IdentifierKind]:
    """The kinds that survive a DIRECT edge's protective transform."""
    if not kinds or transform is None:
        return set(kinds)
    if transform in {"mask", "count"}:
        return set()
    if transform == "hash":
        return {IdentifierKind.OTHER_ID}
    # generalize: year-only dates and ZIP-3 are Safe Harbor; anything else is still a code
    rest = kinds - _GENERALIZED_AWAY
    return {IdentifierKind.OTHER_ID} if rest else set()


def warehouse_key(table: str) -> str | None:
    """The catalog key of a graph table that can be a warehouse table: `patients`, `main.patients`,
    `db.main.patients` -> `patients`; `staging.x` -> `staging.x` (the catalog's `schema.name`)."""
    if table.startswith(FILE_PREFIX):
        return None
    parts = table.lower().split(".")
    if len(parts) == 1:
        return parts[0]
    if parts[-2] == "main":
        return parts[-1]
    return ".".join(parts[-2:])


def is_external_table(table: str, external_schemas: Iterable[str]) -> bool:
    """A file outside the warehouse, or a table in a schema the workspace declares external."""
    if table.startswith(FILE_PREFIX):
        return True
    parts = table.split(".")
    return len(parts) >= 2 and parts[-2].lower() in {s.lower() for s in external_schemas}


@contextlib.contextmanager
def collection_deferred() -> Iterator[None]:
    """Hold Python's cyclic garbage collector while the graph's many small objects are made or read.

    A 100,000-column graph holds over a million objects: every full collection that falls inside a
    load or a query walks them all (about a second). The graph holds no cyclic garbage of its own,
    so collection simply runs after, instead.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def locked(folder: Path, *, exclusive: bool = True) -> Iterator[None]:
    """Hold the lineage folder's lock: one build at a time, and no read while a build saves.

    Re-entrant within a process for shared holders under an exclusive one (flock is per file
    description, so a nested open of the lock file in the same process would block: we skip it).
    """
    if _HELD.get(str(folder)):
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        _HELD[str(folder)] = True
        try:
            yield
        finally:
            _HELD.pop(str(folder), None)
            fcntl.flock(handle, fcntl.LOCK_UN)


_HELD: dict[str, bool] = {}


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


__all__ = [
    "DIRECT_SUBTYPES",
    "UNRESOLVED_TABLE",
    "FileRecord",
    "GraphEdge",
    "LineageGraph",
    "NodeTags",
    "Reach",
    "Write",
    "apply_transform",
    "is_external_table",
]
