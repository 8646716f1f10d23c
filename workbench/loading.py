"""Loading data into the warehouse: load, classify every column, store the catalog, record it.

Loads need no session; they are recorded under the operating-system user.
"""

from __future__ import annotations

from pathlib import Path

from workbench import audit
from workbench.catalog import Catalog, classify_tables
from workbench.errors import WorkbenchError
from workbench.settings import Settings
from workbench.warehouse.duck import reader
from workbench.warehouse.synthea import LoadReport, load_synthea

BUNDLED_HOSPITAL = Path(__file__).resolve().parent.parent / "data" / "synthetic" / "hospital"


def load_synthea_export(directory: Path, settings: Settings) -> LoadReport:
    """Load a Synthea v3 CSV export (atomically), classify its columns and record the load."""
    settings.ensure_home()
    detail: dict[str, object] = {"source": "synthea", "directory_name": Path(directory).name}
    try:
        report = load_synthea(
            Path(directory), settings.warehouse_path, wait_seconds=settings.lock_wait_seconds
        )
        with reader(settings.warehouse_path, wait_seconds=settings.lock_wait_seconds) as con:
            tables = classify_tables(con, list(report.tables))
        Catalog.load(settings.catalog_path).merged(tables).save(settings.catalog_path)
    except WorkbenchError as error:
        detail.update(error=type(error).__name__, reason=error.message)
        audit.record(settings, "load", "error", detail)
        raise
    detail["tables"] = dict(report.tables)
    detail["phi_columns"] = sum(1 for t in tables for c in t.columns if c.kinds)
    if report.extra_columns:
        detail["extra_columns"] = {t: list(cols) for t, cols in report.extra_columns.items()}
    audit.record(settings, "load", "ok", detail)
    return report


def seed(settings: Settings, directory: Path = BUNDLED_HOSPITAL) -> LoadReport | None:
    """Load the bundled synthetic hospital unless the warehouse already holds data."""
    if Catalog.load(settings.catalog_path).tables and settings.warehouse_path.exists():
        return None
    return load_synthea_export(directory, settings)
