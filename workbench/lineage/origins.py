"""Lineage from outside the user's SQL files: dbt models, query logs, OpenLineage jobs.

Every source lands in the one stored column graph (`workbench.lineage.graph`), so impact, the
views and `workbench lineage edges` see it all. How each source is kept:

- **dbt models and logged statements become SQL files** the workbench writes under
  `$WORKBENCH_HOME/lineage/dbt/<project>/` and `.../history/<log>/`: the compiled SQL of a model
  wrapped in `CREATE TABLE|VIEW ... AS`, or a logged statement, each with every literal blanked
  (SQL can hold values; the stored file never does). They are traced by the same engine as any file,
  and a later `workbench lineage build` refreshes them like any other.
- **OpenLineage jobs carry edges, not SQL**: each job is one record named
  `openlineage:<namespace>/<job>`, built from its events' column-lineage facets.

`origins.json` (next to `graph.json`) maps such a file or record to its `Origin`: the dbt node, the
user and time of a logged statement, the OpenLineage job. A path it does not name is a SQL file of
the user. The file is replaced atomically and only under the lineage folder's lock.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, get_args

from sqlglot import exp

from workbench.lineage.build import UpdateResult, update
from workbench.lineage.graph import FileRecord, LineageGraph, from_stored, to_stored
from workbench.lineage.progress import Progress, silent
from workbench.lineage.safe_names import NameGuard

OriginKind = Literal["sql", "dbt", "query_log", "openlineage"]
ORIGIN_KINDS: tuple[OriginKind, ...] = get_args(OriginKind)
OPENLINEAGE_PREFIX = "openlineage:"
ORIGINS_FILE = "origins.json"
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


@dataclass(frozen=True)
class Origin:
    """Where the edges of one stored file or record came from."""

    kind: OriginKind
    name: str  # dbt unique_id, `<log>#<n>`, `<namespace>/<job>`, or the SQL file's name
    source: str = ""  # the manifest, log or events file it was read from (its name)
    user: str | None = None
    time: str | None = None  # ISO 8601, UTC

    def label(self) -> str:
        """One line for a person: `dbt model.clinic.stg_patients`, `bo at 2024-05-01T10:00:00+00:00 ...`."""
        if self.kind == "query_log":
            return (
                f"{self.user or 'unknown user'} at {self.time or 'unknown time'} ({self.source} {self.name})"
            )
        if self.kind == "dbt":
            return f"dbt {self.name}"
        if self.kind == "openlineage":
            who = f" by {self.user}" if self.user else ""
            when = f" at {self.time}" if self.time else ""
            return f"OpenLineage job {self.name}{who}{when}"
        return self.name

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"kind": self.kind, "name": self.name, "source": self.source}
        if self.user is not None:
            data["user"] = self.user
        if self.time is not None:
            data["time"] = self.time
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Origin:
        kind = str(data.get("kind"))
        if kind not in ORIGIN_KINDS:
            kind = "sql"
        user, time = data.get("user"), data.get("time")
        return cls(
            kind=kind,  # type: ignore[arg-type]
            name=str(data.get("name", "")),
            source=str(data.get("source", "")),
            user=str(user) if user is not None else None,
            time=str(time) if time is not None else None,
        )


def origin_of(path: str, origins: Mapping[str, Origin]) -> Origin:
    """The origin of a stored file or record (a SQL file of the user when not recorded)."""
    return origins.get(path) or Origin("sql", Path(path).name, source=path)


def load_origins(folder: Path) -> dict[str, Origin]:
    """The recorded origins (empty when none); a damaged file reads as empty (origins are labels)."""
    try:
        data = json.loads((folder / ORIGINS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {from_stored(str(p), folder): Origin.from_json(o) for p, o in data.items() if isinstance(o, dict)}


def save_origins(folder: Path, origins: Mapping[str, Origin], graph: LineageGraph) -> None:
    """Write the origins of files the graph still holds (call under the lineage lock)."""
    kept = {to_stored(p, folder): o.to_json() for p, o in sorted(origins.items()) if p in graph.files}
    write_atomic(folder / ORIGINS_FILE, json.dumps(kept, ensure_ascii=False, indent=1))


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def safe_name(text: str, limit: int = 80) -> str:
    """A file-name-safe rendering of a name (dbt unique_id, user name, log name)."""
    return _UNSAFE.sub("_", text).strip("._")[:limit] or "_"


def utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


# -- what derived files may hold ----------------------------------------------------------------

# Every node that carries text a user typed as a value.
_STRING_LIKE = tuple(
    getattr(exp, name)
    for name in ("RawString", "National", "ByteString", "HexString", "BitString", "UnicodeString")
    if hasattr(exp, name)
)


def blank_literals(statement: exp.Expr) -> exp.Expr:
    """A copy of the statement with every literal value blanked (strings '', numbers 0, JSON paths
    `$._`): a stored file holds names, never values. The file a COPY ... TO or EXPORT writes is kept
    (it is a recipient; the guard has replaced its segments that hold an identifier)."""
    statement = statement.copy()
    keep: set[int] = set()
    if isinstance(statement, exp.Copy):
        _program_word_only(statement)
        for target in statement.args.get("files") or ():
            keep.update(id(n) for n in target.walk())
    if isinstance(statement, exp.Export):
        keep.update(id(n) for prop in statement.find_all(exp.Property) for n in prop.walk())

    def blank(node: exp.Expr) -> exp.Expr:
        if id(node) in keep:
            return node
        if isinstance(node, exp.Literal):
            return exp.Literal.string("") if node.is_string else exp.Literal.number(0)
        if isinstance(node, _STRING_LIKE):
            return exp.Literal.string("")
        if isinstance(node, exp.JSONPath):
            # `d ->> 'key'`, JSON_VALUE(d, '$.key'), Snowflake `d:key`: sqlglot parses the path into
            # key nodes, which are not literals; the column read is `d` whatever the key says
            return exp.JSONPath(expressions=[exp.JSONPathRoot(), exp.JSONPathKey(this="_")])
        return node

    return statement.transform(blank, copy=False)


_FILE_NAME = re.compile(
    r"[/\\]|^[A-Za-z][A-Za-z0-9+.-]*://|\.(parquet|csv|tsv|json|jsonl|ndjson|txt|gz|zst)$", re.I
)


def file_tables(statement: exp.Expr, guard: NameGuard) -> exp.Expr:
    """Tables that are files, in place: `read_parquet('/data/x.parquet')` and `FROM '/data/x.parquet'`
    both become the table `"/data/x.parquet"`, its segments guarded as a location (a blanked path
    would leave a table with no name). Returns the statement."""
    for table in list(statement.find_all(exp.Table)):
        this = table.this
        location: str | None = None
        if isinstance(this, exp.Func):
            first = this.this if isinstance(this, exp.Anonymous) else this.args.get("this")
            if first is None and this.expressions:
                first = this.expressions[0]
            if isinstance(first, exp.Array) and first.expressions:
                first = first.expressions[0]
            if isinstance(first, exp.Literal) and first.is_string:
                location = first.name
            elif isinstance(this, exp.Anonymous) and this.expressions:
                head = this.expressions[0]
                if isinstance(head, exp.Literal) and head.is_string:
                    location = head.name
        elif isinstance(this, exp.Identifier) and this.quoted and _FILE_NAME.search(this.name):
            location = this.name
        if location:
            table.set("this", exp.to_identifier(guard.location(location), quoted=True))
            table.set("db", None)
            table.set("catalog", None)
    return statement


def _program_word_only(statement: exp.Copy) -> None:
    """`COPY ... TO|FROM PROGRAM 'cmd args' [WITH (...)]` -> `COPY ... TO|FROM 'program:cmd'`, in place.

    sqlglot reads the command as the first COPY option and would write it back as `WITH (cmd args)`,
    which no database parses; the command's arguments (URLs, tokens, file names) are never kept.
    """
    files = statement.args.get("files") or []
    if not files or not isinstance(files[0], exp.Identifier | exp.Var | exp.Column):
        return
    if files[0].name.upper() != "PROGRAM":
        return
    params = list(statement.args.get("params") or [])
    command = params[0].this if params and isinstance(params[0], exp.CopyParameter) else None
    words = command.name.split() if isinstance(command, exp.Var | exp.Literal) else []
    word = words[0].rsplit("/", 1)[-1] if words else ""
    statement.set("files", [exp.Literal.string(f"program:{word}")])
    # the options after the command are misread the same way; lineage needs none of them
    statement.set("params", [])


# -- writing derived SQL files and tracing them ------------------------------------------------


def write_files(files: Mapping[str, str]) -> None:
    """Write derived SQL files whose text changed (so unchanged files keep their stored records)."""
    for path, text in files.items():
        target = Path(path)
        try:
            if target.read_text(encoding="utf-8") == text:
                continue
        except (OSError, UnicodeDecodeError):
            pass
        write_atomic(target, text)


def stale_files(graph: LineageGraph, folder: Path, keep: Iterable[str]) -> list[str]:
    """Records of files under `folder` (a source's derived files) that the source no longer has."""
    kept = set(keep)
    prefix = str(folder) + os.sep
    return [p for p in graph.files if p.startswith(prefix) and p not in kept]


def trace_in_chunks(
    graph: LineageGraph,
    chunks: Sequence[Sequence[str]],
    texts: Mapping[str, str],
    dialect: str,
    *,
    removed: Sequence[str] = (),
    progress: Progress = silent,
    description: str = "lineage",
    guard: NameGuard | None = None,
    sources: Mapping[str, str] | None = None,
) -> list[UpdateResult]:
    """Trace derived files chunk by chunk (each chunk after the tables it reads), with a progress bar.

    The engine orders statements within one call; the chunks give the order between calls, so a
    dbt project is traced layer by layer of its DAG and a query log in time order.
    """
    results = []
    for path in removed:
        graph.remove(path)
    total = sum(len(c) for c in chunks)
    with progress(total, description) as advance:
        for chunk in chunks:
            if chunk:
                results.append(
                    update(
                        graph,
                        {p: texts[p] for p in chunk},
                        dialect,
                        read_text=texts,
                        guard=guard,
                        sources=sources,
                    )
                )
            advance(len(chunk))
    return results


def patch(graph: LineageGraph, path: str, change: Callable[[FileRecord], FileRecord]) -> None:
    """Replace the stored record of `path` by `change(record)` (no-op when the file has no record)."""
    record = graph.files.get(path)
    if record is not None:
        new = change(record)
        if new != record:
            graph.replace(new)


def records_under(graph: LineageGraph, prefix: str) -> Iterator[FileRecord]:
    for path, record in graph.files.items():
        if path.startswith(prefix):
            yield record


__all__ = [
    "OPENLINEAGE_PREFIX",
    "Origin",
    "OriginKind",
    "blank_literals",
    "file_tables",
    "load_origins",
    "origin_of",
    "patch",
    "safe_name",
    "save_origins",
    "stale_files",
    "trace_in_chunks",
    "utc_iso",
    "write_atomic",
    "write_files",
]
