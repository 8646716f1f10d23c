"""OpenLineage in and out: run events with the column-lineage facet.

**Export** (`workbench lineage export --format openlineage`) writes the graph as OpenLineage run
events, one JSON line each, built with openlineage-python's model classes, so Marquez, DataHub or
any OpenLineage consumer can take it. One event per source of edges (a SQL file, a dbt model, a
logged statement, an imported job), `COMPLETE`:

- the job is `<namespace>/<file path | dbt unique_id | log#line | job>`; a logged statement's event
  has its time as `eventTime` and its user in the `ownership` job facet;
- inputs are the tables read, outputs the tables written, each output with a `columnLineage` facet:
  column edges under `fields`, row-level edges (into `table.*`) under `dataset`, each input field
  with its `DIRECT`/`INDIRECT` transformation and subtype (the two vocabularies are the same);
  `masking` is true for a hash or a mask, and the description holds the workbench's grade and
  protective transform (`workbench grade=resolved transform=hash`); outputs whose columns are known
  also carry a `schema` facet;
- warehouse tables are datasets of the namespace given (`--namespace`, default `workbench`); files
  written by `COPY ... TO` are datasets of namespace `file`.

**Import** (`workbench lineage import-openlineage FILE`) reads run events as JSON lines (a JSON
array or a single event also do), groups them by job, and stores each job as one record named
`openlineage:<job namespace>/<job name>`: an edge per input field and transformation of every
output's `columnLineage` facet (the deprecated per-field `transformationType` is read too; a field
without any is DIRECT TRANSFORMATION), the `schema` facet as the output's columns, and for an output
without a `columnLineage` facet one table-level edge from each input (`in.* -> out.*`, DIRECT
TRANSFORMATION, `inferred`). Datasets of namespace `file` or of a storage scheme (`s3://`, `gs://`,
...) become files outside the warehouse (`file:<location>`); others are tables named as the event
names them. Importing a job again replaces it. Import is all or nothing: a line that is not a JSON
object refuses the file, naming the line (never its text), and nothing is imported. Dataset, field
and job names that look like PHI are replaced by keyed tokens (`workbench.lineage.safe_names`).

Exporting and importing back into an empty workspace gives the same edges, grades and transforms.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, get_args

from workbench import audit, session
from workbench.errors import BadInput, NoSession
from workbench.lineage.build import EVENTS_DIALECT, lineage_folder
from workbench.lineage.graph import FileRecord, LineageGraph, Write, locked
from workbench.lineage.origins import (
    OPENLINEAGE_PREFIX,
    Origin,
    load_origins,
    origin_of,
    save_origins,
    utc_iso,
)
from workbench.lineage.progress import Progress, silent
from workbench.lineage.safe_names import NameGuard
from workbench.lineage.sql import DIRECT_SUBTYPES, ColumnRef, EdgeType, Grade, Subtype, Transform
from workbench.lineage.statements import FILE_PREFIX, ColumnEdge, StatementKind
from workbench.settings import Settings

PRODUCER = "https://github.com/phi-workbench/phi-workbench"
DEFAULT_NAMESPACE = "workbench"
FILE_NAMESPACE = "file"
STORAGE_SCHEMES = (
    "file",
    "s3",
    "s3a",
    "s3n",
    "gs",
    "gcs",
    "abfs",
    "abfss",
    "wasb",
    "wasbs",
    "hdfs",
    "dbfs",
    "azure",
)
_INDIRECT_SUBTYPES: tuple[Subtype, ...] = ("FILTER", "JOIN", "GROUP_BY", "SORT", "WINDOW", "CONDITIONAL")
_GRADES: tuple[Grade, ...] = ("resolved", "inferred", "unresolved")
_TRANSFORMS: tuple[Transform, ...] = ("generalize", "hash", "mask", "count")
_DESCRIPTION = re.compile(r"\bworkbench grade=(\w+)(?: transform=(\w+))?(?: line=(\d+))?")
# A custom output-dataset facet: the kind and line of the statement that wrote the dataset, so a
# round trip keeps the `via` of recipients (`09_export_acme_billing.sql:44`).
WRITE_FACET = "workbenchWrite"
_RUN_NAMESPACE = uuid.UUID("5b0c3a44-7a1e-4f8e-9a57-5f3c1de2a1a0")


# -- export ----------------------------------------------------------------------------------------


def dataset_of(table: str, namespace: str) -> tuple[str, str]:
    """(namespace, name) of a graph table."""
    if table.startswith(FILE_PREFIX):
        return FILE_NAMESPACE, table.removeprefix(FILE_PREFIX)
    return namespace, table


def table_of(namespace: str, name: str) -> str:
    """The graph table of an OpenLineage dataset."""
    scheme = namespace.split("://", 1)[0].lower() if "://" in namespace else namespace.lower()
    if scheme in STORAGE_SCHEMES:
        if namespace.lower() == FILE_NAMESPACE or namespace.lower().startswith("file://"):
            return FILE_PREFIX + name
        return FILE_PREFIX + f"{namespace.rstrip('/')}/{name.lstrip('/')}"
    return name


def _job_name(path: str, origin: Origin) -> str:
    if origin.kind == "dbt":
        return origin.name
    if origin.kind == "query_log":
        return f"{origin.source}#{origin.name.removeprefix('line ')}"
    if origin.kind == "openlineage":
        return path.removeprefix(OPENLINEAGE_PREFIX)
    return path


def events(
    graph: LineageGraph, origins: Mapping[str, Origin], namespace: str = DEFAULT_NAMESPACE
) -> list[Any]:
    """The graph as OpenLineage `RunEvent`s (openlineage-python objects), one per source of edges."""
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
    from openlineage.client.facet_v2 import DatasetFacet, ownership_job, schema_dataset
    from openlineage.client.facet_v2 import column_lineage_dataset as cl

    found = []
    now = utc_iso(datetime.now(UTC))
    for path, record in sorted(graph.files.items()):
        if not record.edges and not any(c for c in record.defines.values()):
            continue
        origin = origin_of(path, origins)
        job = _job_name(path, origin)
        fields: dict[str, dict[str, list[Any]]] = {}
        rows: dict[str, list[Any]] = {}
        inputs: dict[tuple[str, str], None] = {}
        for edge, line in record.edges:
            source_ns, source_name = dataset_of(edge.source.table, namespace)
            inputs[(source_ns, source_name)] = None
            description = (
                f"workbench grade={edge.grade}"
                + (f" transform={edge.transform}" if edge.transform else "")
                + f" line={line}"
            )
            transformation = cl.Transformation(
                type=edge.type,
                subtype=edge.subtype,
                description=description,
                masking=edge.transform in ("hash", "mask"),
            )
            field = cl.InputField(
                source_ns, source_name, edge.source.column, transformations=[transformation]
            )
            if edge.target.column == "*" and edge.type == "INDIRECT":
                rows.setdefault(edge.target.table, []).append(field)
            else:
                fields.setdefault(edge.target.table, {}).setdefault(edge.target.column, []).append(field)
        outputs = []
        for table in sorted(set(fields) | set(rows) | {t for t, c in record.defines.items() if c}):
            facets: dict[str, Any] = {
                "columnLineage": cl.ColumnLineageDatasetFacet(
                    fields={c: cl.Fields(inputFields=f) for c, f in sorted(fields.get(table, {}).items())},
                    dataset=rows.get(table, []),
                    producer=PRODUCER,
                )
            }
            columns = record.defines.get(table)
            if columns:
                facets["schema"] = schema_dataset.SchemaDatasetFacet(
                    fields=[schema_dataset.SchemaDatasetFacetFields(name=c) for c in columns],
                    producer=PRODUCER,
                )
            write = next((w for w in record.writes if w.table == table), None)
            if write is not None:
                facets[WRITE_FACET] = DatasetFacet(producer=PRODUCER).with_additional_properties(
                    kind=write.kind, line=write.line
                )
            out_ns, out_name = dataset_of(table, namespace)
            outputs.append(OutputDataset(out_ns, out_name, facets=facets))
        for table in record.reads:
            inputs.setdefault(dataset_of(table, namespace), None)
        job_facets: dict[str, Any] = {}
        if origin.user:
            job_facets["ownership"] = ownership_job.OwnershipJobFacet(
                owners=[ownership_job.Owner(name=f"user:{origin.user}")], producer=PRODUCER
            )
        found.append(
            RunEvent(
                eventType=RunState.COMPLETE,
                eventTime=origin.time or now,
                run=Run(runId=str(uuid.uuid5(_RUN_NAMESPACE, f"{namespace}/{job}/{record.sha256}"))),
                job=Job(namespace=namespace, name=job, facets=job_facets),
                producer=PRODUCER,
                inputs=[InputDataset(ns, name) for ns, name in sorted(inputs)],
                outputs=outputs,
            )
        )
    return found


@dataclass(frozen=True)
class ExportReport:
    events: int
    edges: int

    def to_json(self) -> dict[str, object]:
        return {"events": self.events, "edges": self.edges}


def export_openlineage(
    settings: Settings, out: TextIO | None = None, namespace: str = DEFAULT_NAMESPACE
) -> ExportReport:
    """Write the graph as OpenLineage events (JSON lines) to `out` (stdout); recorded in the ledger."""
    from openlineage.client.serde import Serde

    folder = lineage_folder(settings)
    with locked(folder, exclusive=False):
        graph = LineageGraph.load(folder)
        origins = load_origins(folder)
    found = events(graph, origins, namespace)
    stream = out or sys.stdout
    for event in found:
        stream.write(Serde.to_json(event) + "\n")
    report = ExportReport(len(found), sum(len(r.edges) for r in graph.files.values()))
    _record(settings, "ok", {"operation": "export", "format": "openlineage", **report.to_json()})
    return report


# -- import ------------------------------------------------------------------------------------------


def read_events(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line, event) of an OpenLineage events file: JSON lines, a JSON array or one JSON object.

    All or nothing: a line (or array entry) that is not a JSON object refuses the whole file, with
    its number and never its text.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"Cannot read the OpenLineage events {path.name} ({type(exc).__name__}).") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(path, data[: exc.start].count(b"\n") + 1, "is not valid UTF-8") from None
    if not text.strip():
        raise BadInput(f"The OpenLineage events file {path.name} is empty (nothing was imported).")
    text = text.removeprefix("\ufeff")
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _bad(path, exc.lineno, "is not JSON") from None
        except RecursionError:
            raise _bad(path, 1, "nests JSON too deeply") from None
        for i, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise _bad(path, 1, f"holds an entry (number {i}) that is not a JSON object")
        for i, item in enumerate(items, 1):
            _check_event(path, i, item)
        return list(enumerate(items, 1))
    if stripped.startswith("{") and "\n" in stripped:
        whole: object = None
        with contextlib.suppress(ValueError, RecursionError):  # one event written over several lines
            whole = json.loads(text)
        if isinstance(whole, dict):
            _check_event(path, 1, whole)
            return [(1, whole)]
    events = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            raise _bad(path, number, "is not JSON") from None
        except RecursionError:
            raise _bad(path, number, "nests JSON too deeply") from None
        if not isinstance(item, dict):
            raise _bad(path, number, "is not a JSON object")
        events.append((number, item))
    for number, event in events:
        _check_event(path, number, event)
    return events


# OpenLineage's run states. Lineage is read from runs that completed: their COMPLETE event and the
# START/RUNNING/OTHER events of the same run (facets accumulate over a run); a run that failed or
# was aborted, or that has no COMPLETE event in the file, wrote nothing we can rely on. An event
# without an eventType (static lineage) is read as it is.
EVENT_TYPES = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")


class _Shape(Exception):
    """An event that is well-formed JSON of the wrong shape (`what` never holds a value)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _text(value: object, what: str, *, required: bool = True) -> None:
    """`value` is a string (non-empty when `required`; absent allowed otherwise)."""
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value):
        raise _Shape(f"has {what} that is not {'a non-empty' if required else 'a'} string")


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _Shape(f"has {what} that is not an object")
    return value


def _list(value: object, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Shape(f"has {what} that is not a list")
    return value


def _check_input_fields(items: object, what: str) -> None:
    for item in _list(items, what):
        field = _mapping(item, f"an entry of {what}")
        for key in ("namespace", "name", "field"):
            _text(field.get(key), f"an entry of {what} with a {key}")
        for raw in _list(field.get("transformations"), "transformations"):
            transformation = _mapping(raw, "a transformation")
            for key in ("type", "subtype", "description"):
                _text(transformation.get(key), f"a transformation {key}", required=False)


def _check_dataset(raw: object, what: str) -> None:
    dataset = _mapping(raw, f"an entry of {what}")
    if not dataset:
        raise _Shape(f"has an entry of {what} that is not a dataset")
    for key in ("namespace", "name"):
        _text(dataset.get(key), f"an entry of {what} with a {key}")
    facets = _mapping(dataset.get("facets"), "dataset facets")
    for field in _list(_mapping(facets.get("schema"), "a schema facet").get("fields"), "schema fields"):
        _text(_mapping(field, "a schema field").get("name"), "a schema field name")
    lineage = _mapping(facets.get("columnLineage"), "a columnLineage facet")
    for column, spec in _mapping(lineage.get("fields"), "columnLineage fields").items():
        _text(column, "a columnLineage field name")
        spec = _mapping(spec, "a columnLineage field")
        _text(spec.get("transformationType"), "a transformationType", required=False)
        _check_input_fields(spec.get("inputFields"), "inputFields")
    _check_input_fields(lineage.get("dataset"), "columnLineage dataset")


def _check_event(path: Path, line: int, event: Mapping[str, Any]) -> None:
    """A run event names its job (namespace and name) and its run, and every part the import reads
    has the shape the OpenLineage spec gives it; anything else refuses the file."""
    job, run = event.get("job"), event.get("run")
    if not isinstance(job, Mapping) or not job.get("name") or not job.get("namespace"):
        raise _bad(path, line, "is not a run event (no job with a namespace and name)")
    if not isinstance(run, Mapping) or not run.get("runId"):
        raise _bad(path, line, "is not a run event (no run with a runId)")
    try:
        _text(job.get("namespace"), "a job namespace")
        _text(job.get("name"), "a job name")
        _text(run.get("runId"), "a runId")
        kind = event.get("eventType")
        if kind is not None and kind not in EVENT_TYPES:
            raise _Shape("has an eventType that is not one of " + ", ".join(EVENT_TYPES))
        _text(event.get("eventTime"), "an eventTime", required=False)
        facets = _mapping(job.get("facets"), "job facets")
        for owner in _list(_mapping(facets.get("ownership"), "an ownership facet").get("owners"), "owners"):
            _text(_mapping(owner, "an owner").get("name"), "an owner name", required=False)
        for key in ("inputs", "outputs"):
            for dataset in _list(event.get(key), key):
                _check_dataset(dataset, key)
    except _Shape as shape:
        raise _bad(path, line, shape.what) from None


def lineage_events(
    numbered: Iterable[tuple[int, Mapping[str, Any]]],
) -> tuple[list[tuple[int, Mapping[str, Any]]], int]:
    """The events lineage is read from (see `EVENT_TYPES`), and how many others were skipped."""
    chosen = list(numbered)
    completed = {
        str((e.get("run") or {}).get("runId")) for _, e in chosen if e.get("eventType") == "COMPLETE"
    }
    kept = [
        (line, e)
        for line, e in chosen
        if e.get("eventType") is None
        or (
            e["eventType"] in {"START", "RUNNING", "OTHER", "COMPLETE"}
            and str(e["run"]["runId"]) in completed
        )
    ]
    return kept, len(chosen) - len(kept)


def _bad(path: Path, line: int, what: str) -> BadInput:
    return BadInput(
        f"Line {line} of {path.name} {what}; OpenLineage events are one JSON object per line: fix or "
        "remove that line and import again (nothing was imported)."
    )


def _transformation(
    raw: Mapping[str, Any], row_level: bool
) -> tuple[EdgeType, Subtype, Grade, Transform | None]:
    kind = str(raw.get("type") or "DIRECT").upper()
    subtype = str(raw.get("subtype") or "").upper()
    grade: Grade = "resolved"
    transform: Transform | None = None
    match = _DESCRIPTION.search(str(raw.get("description") or ""))
    if match:
        if match.group(1) in _GRADES:
            grade = match.group(1)  # type: ignore[assignment]
        if match.group(2) in _TRANSFORMS:
            transform = match.group(2)  # type: ignore[assignment]
    elif raw.get("masking"):
        transform = "hash"  # masked by the producer: still a code derived from the value
    if kind == "INDIRECT":
        chosen = subtype if subtype in _INDIRECT_SUBTYPES else ("FILTER" if row_level else "CONDITIONAL")
        return "INDIRECT", chosen, grade, None  # type: ignore[return-value]
    chosen = subtype if subtype in DIRECT_SUBTYPES else "TRANSFORMATION"
    return "DIRECT", chosen, grade, transform  # type: ignore[return-value]


def _input_edges(
    items: Iterable[Any], target: ColumnRef, row_level: bool, legacy: str | None = None
) -> Iterator[tuple[ColumnEdge, int | None]]:
    """The edges into `target` of a column-lineage facet, each with the statement line our export
    stated (None for other producers)."""
    for item in items:
        if not isinstance(item, Mapping) or not item.get("name") or item.get("field") in (None, ""):
            continue
        source = ColumnRef(table_of(str(item.get("namespace", "")), str(item["name"])), str(item["field"]))
        transformations = [t for t in item.get("transformations") or () if isinstance(t, Mapping)]
        if not transformations:
            legacy_type = (legacy or "").upper()
            default = {"type": "INDIRECT"} if row_level else {"type": "DIRECT", "subtype": legacy_type}
            transformations = [default]
        for raw in transformations:
            kind, subtype, grade, transform = _transformation(raw, row_level)
            match = _DESCRIPTION.search(str(raw.get("description") or ""))
            line = int(match.group(3)) if match and match.group(3) else None
            yield ColumnEdge(source, target, kind, subtype, grade, transform), line


def _write(table: str, stated: object, line: int) -> Write:
    """How `table` was written: as our export's write facet states it, else by the kind of dataset."""
    external = table.startswith(FILE_PREFIX)
    kind: StatementKind = "copy" if external else "insert"
    if isinstance(stated, Mapping):
        if stated.get("kind") in get_args(StatementKind):
            kind = stated["kind"]
        if isinstance(stated.get("line"), int) and stated["line"] > 0:
            line = stated["line"]
    return Write(table, kind, line, external)


def records_from_events(
    numbered: Iterable[tuple[int, Mapping[str, Any]]], guard: NameGuard | None = None
) -> tuple[list[FileRecord], dict[str, Origin]]:
    """One record per job (namespace, name), with its origin; names that look like PHI become tokens
    (`guard`, keyless placeholders when none is given)."""
    guard = guard or NameGuard()
    jobs: dict[tuple[str, str], list[tuple[int, Mapping[str, Any]]]] = {}
    for line, event in numbered:
        job = event.get("job")
        if not isinstance(job, Mapping) or not job.get("name"):
            continue
        jobs.setdefault((str(job.get("namespace", "")), str(job["name"])), []).append((line, event))
    records, origins = [], {}
    for (namespace, name), group in sorted(jobs.items()):
        edges: dict[ColumnEdge, int] = {}
        defines: dict[str, tuple[str, ...] | None] = {}
        reads: dict[str, None] = {}
        writes: dict[str, Write] = {}
        users: list[str] = []
        times: list[str] = []
        for line, event in group:
            if event.get("eventTime"):
                times.append(str(event["eventTime"]))
            ownership = ((event.get("job") or {}).get("facets") or {}).get("ownership") or {}
            users.extend(
                str(o.get("name", "")).removeprefix("user:")
                for o in ownership.get("owners") or ()
                if isinstance(o, Mapping)
            )
            inputs = [d for d in event.get("inputs") or () if isinstance(d, Mapping) and d.get("name")]
            for dataset in inputs:
                reads[table_of(str(dataset.get("namespace", "")), str(dataset["name"]))] = None
            for dataset in event.get("outputs") or ():
                if not isinstance(dataset, Mapping) or not dataset.get("name"):
                    continue
                table = table_of(str(dataset.get("namespace", "")), str(dataset["name"]))
                facets = dataset.get("facets") or {}
                writes.setdefault(table, _write(table, facets.get(WRITE_FACET), line))
                schema = facets.get("schema") or {}
                columns = [
                    str(f["name"])
                    for f in schema.get("fields") or ()
                    if isinstance(f, Mapping) and f.get("name")
                ]
                if columns:
                    defines[table] = tuple(columns)
                lineage = facets.get("columnLineage")
                if not isinstance(lineage, Mapping):
                    for source in inputs:
                        source_table = table_of(str(source.get("namespace", "")), str(source["name"]))
                        edge = ColumnEdge(
                            ColumnRef(source_table, "*"),
                            ColumnRef(table, "*"),
                            "DIRECT",
                            "TRANSFORMATION",
                            "inferred",
                        )
                        edges.setdefault(edge, line)
                    continue
                for column, spec in (lineage.get("fields") or {}).items():
                    if isinstance(spec, Mapping):
                        target = ColumnRef(table, str(column))
                        for edge, stated in _input_edges(
                            spec.get("inputFields") or (), target, False, spec.get("transformationType")
                        ):
                            edges.setdefault(edge, stated or line)
                for edge, stated in _input_edges(lineage.get("dataset") or (), ColumnRef(table, "*"), True):
                    edges.setdefault(edge, stated or line)
        job = f"{guard.location(namespace)}/{guard.location(name)}"
        path = f"{OPENLINEAGE_PREFIX}{job}"
        digest = hashlib.sha256(
            json.dumps([e for _, e in group], sort_keys=True, default=str).encode()
        ).hexdigest()
        records.append(
            guard.record(
                FileRecord(
                    path=path,
                    sha256=digest,
                    dialect=EVENTS_DIALECT,
                    schema_digest="",
                    statements=len(group),
                    errors=(),
                    defines=defines,
                    reads=tuple(reads),
                    writes=tuple(writes.values()),
                    edges=tuple(sorted(edges.items(), key=lambda item: item[0].key)),
                )
            )
        )
        user = next((u for u in users if u), None)
        origins[path] = Origin("openlineage", job, user=user, time=max(times) if times else None)
    return records, origins


@dataclass(frozen=True)
class ImportReport:
    events: int
    jobs: int
    edges: int  # edges the imported jobs hold
    graph_edges: int
    skipped: int = 0  # events of runs that did not complete (FAIL, ABORT, or no COMPLETE event)

    def to_json(self) -> dict[str, object]:
        return {
            "events": self.events,
            "jobs": self.jobs,
            "edges": self.edges,
            "graph_edges": self.graph_edges,
            "skipped": self.skipped,
        }

    def summary(self) -> str:
        return (
            f"OpenLineage: {self.events} events, {self.jobs} jobs, {self.edges} column edges imported; "
            f"{self.skipped} events of runs that did not complete skipped; "
            f"the graph has {self.graph_edges} edges."
        )


def import_openlineage(settings: Settings, path: Path, *, progress: Progress = silent) -> ImportReport:
    """Import OpenLineage run events into the workspace graph; recorded in the ledger."""
    guard = NameGuard.of(settings)
    detail: dict[str, object] = {
        "operation": "import",
        "format": "openlineage",
        "file": guard.location(Path(path).name),
    }
    try:
        numbered = read_events(Path(path))
        chosen, skipped = lineage_events(numbered)
        with progress(len(numbered), f"reading {Path(path).name}") as advance:
            try:
                records, new_origins = records_from_events(chosen, guard)
            except RecursionError:
                raise BadInput(
                    f"The OpenLineage events {Path(path).name} nest JSON too deeply to read "
                    "(nothing was imported)."
                ) from None
            advance(len(numbered))
        folder = lineage_folder(settings)
        with locked(folder):
            graph = LineageGraph.load(folder)
            origins = load_origins(folder)
            for record in records:
                graph.replace(record)
            origins.update(new_origins)
            graph.save(folder)
            save_origins(folder, origins, graph)
            report = ImportReport(
                len(numbered),
                len(records),
                sum(len(r.edges) for r in records),
                graph.edge_count(),
                skipped,
            )
    except Exception as error:
        detail["error"] = type(error).__name__
        _record(settings, "error", detail)
        raise
    _record(settings, "ok", {**detail, **report.to_json()})
    return report


def _record(settings: Settings, outcome: str, detail: dict[str, object]) -> None:
    principal = None
    with contextlib.suppress(NoSession):
        principal = session.current(settings)
    audit.record(settings, "lineage", outcome, {"source": "openlineage", **detail}, principal)  # type: ignore[arg-type]


__all__ = [
    "DEFAULT_NAMESPACE",
    "ExportReport",
    "ImportReport",
    "dataset_of",
    "events",
    "export_openlineage",
    "import_openlineage",
    "lineage_events",
    "read_events",
    "records_from_events",
    "table_of",
]
