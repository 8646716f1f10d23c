"""The stored column classification: which identifier kinds each warehouse column holds.

Written after every load (`catalog.json`, replaced atomically), read by every governed query:
the policy decides per column from it, and a table or column it does not list is not reachable
through the governed path (deny by default).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from workbench.errors import BadInput, NoSession, UnknownTable, WorkbenchError
from workbench.kinds import IdentifierKind
from workbench.settings import Settings

CATALOG_VERSION = 1


@dataclass(frozen=True)
class CatalogColumn:
    name: str
    type: str
    kinds: tuple[IdentifierKind, ...]
    confidence: float
    evidence: str


@dataclass(frozen=True)
class CatalogTable:
    name: str
    columns: tuple[CatalogColumn, ...]
    person_level: bool

    def column(self, name: str) -> CatalogColumn | None:
        lowered = name.lower()
        return next((c for c in self.columns if c.name.lower() == lowered), None)


@dataclass(frozen=True)
class Catalog:
    tables: Mapping[str, CatalogTable]  # keyed by lower-case name

    def table(self, name: str) -> CatalogTable:
        try:
            return self.tables[name.lower()]
        except KeyError:
            raise UnknownTable(name) from None

    def schema(self) -> dict[str, dict[str, str]]:
        """table -> column -> type, names in lower case, for sqlglot."""
        return {key: {c.name.lower(): c.type for c in t.columns} for key, t in self.tables.items()}

    def names(self) -> frozenset[str]:
        """Every table and column name, in lower case (names a query may mention)."""
        return frozenset(
            [key for key in self.tables] + [c.name.lower() for t in self.tables.values() for c in t.columns]
        )

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.to_json(), sort_keys=True).encode()).hexdigest()

    def merged(self, tables: Iterable[CatalogTable]) -> Catalog:
        updated = dict(self.tables)
        updated.update({t.name.lower(): t for t in tables})
        return Catalog(updated)

    def to_json(self) -> dict[str, object]:
        return {
            "version": CATALOG_VERSION,
            "tables": {
                key: {
                    "name": t.name,
                    "person_level": t.person_level,
                    "columns": [
                        {
                            "name": c.name,
                            "type": c.type,
                            "kinds": [k.value for k in c.kinds],
                            "confidence": c.confidence,
                            "evidence": c.evidence,
                        }
                        for c in t.columns
                    ],
                }
                for key, t in sorted(self.tables.items())
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Catalog:
        tables = {}
        for key, body in dict(data["tables"]).items():  # type: ignore[call-overload]
            columns = tuple(
                CatalogColumn(
                    name=c["name"],
                    type=c["type"],
                    kinds=tuple(IdentifierKind(k) for k in c["kinds"]),
                    confidence=float(c["confidence"]),
                    evidence=c["evidence"],
                )
                for c in body["columns"]
            )
            tables[key] = CatalogTable(
                name=body["name"], columns=columns, person_level=bool(body["person_level"])
            )
        return cls(tables)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> Catalog:
        """The catalog at `path` (empty if missing); re-read only when the file changes."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            return cls({})
        return _load_catalog(path, stat.st_mtime_ns, stat.st_size, stat.st_ino)


@lru_cache(maxsize=8)
def _load_catalog(path: Path, mtime_ns: int, size: int, inode: int) -> Catalog:
    try:
        return Catalog.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return Catalog({})
    except (ValueError, KeyError, TypeError):
        raise BadInput(
            f"The catalog {path} is damaged; reload the data with `workbench load synthea DIR`."
        ) from None


def classify_tables(con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> list[CatalogTable]:
    """Classify `names` in the open warehouse: kinds per column from names and sampled values."""
    from workbench.detect.classify import classify_table, is_person_level

    tables = []
    for name in names:
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                [name],
            ).fetchall()
        )
        tags = {tag.column: tag for tag in classify_table(con, name)}
        columns = tuple(
            CatalogColumn(
                name=column,
                type=str(column_type),
                kinds=tuple(tags[column].kinds) if column in tags else (),
                confidence=float(tags[column].confidence) if column in tags else 0.0,
                evidence=tags[column].evidence if column in tags else "not examined",
            )
            for column, column_type in types.items()
        )
        tables.append(
            CatalogTable(name=name, columns=columns, person_level=is_person_level(name, list(types)))
        )
    return tables


def list_columns(settings: Settings, table: str | None = None) -> list[dict[str, Any]]:
    """The classification of every column (or one table's), as `workbench columns --json` prints it."""
    from workbench import audit
    from workbench.session import current

    principal = None
    with contextlib.suppress(NoSession):
        principal = current(settings)
    catalog = Catalog.load(settings.catalog_path)
    try:
        if not catalog.tables:
            raise BadInput("No data is loaded; run `workbench seed` or `workbench load synthea DIR` first.")
        tables = [catalog.table(table)] if table else [catalog.tables[k] for k in sorted(catalog.tables)]
    except WorkbenchError as error:
        audit.record(settings, "columns", "error", {"error": type(error).__name__}, principal)
        raise
    audit.record(settings, "columns", "ok", {"tables": [t.name for t in tables]}, principal)
    return [
        {
            "table": t.name,
            "column": c.name,
            "kinds": [k.value for k in c.kinds],
            "confidence": round(c.confidence, 2),
            "evidence": c.evidence,
        }
        for t in tables
        for c in t.columns
    ]
