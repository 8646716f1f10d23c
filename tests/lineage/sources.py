"""What several lineage tests feed the workbench: the bundled sources and OpenLineage events."""

from __future__ import annotations

from tests.conftest import REPO

PIPELINES = REPO / "data" / "synthetic" / "pipelines"
DBT = REPO / "tests" / "fixtures" / "dbt_project" / "target"
LOG = REPO / "tests" / "fixtures" / "query_logs" / "postgres.log"
# `workbench lineage build` of the bundled dbt project, with its catalog
DBT_BUILD = [
    "lineage",
    "build",
    "--dbt-manifest",
    str(DBT / "manifest.json"),
    "--catalog",
    str(DBT / "catalog.json"),
]


def run_event(
    job: str,
    outputs: list[dict[str, object]],
    inputs: list[dict[str, object]] | None = None,
    namespace: str = "spark",
) -> dict[str, object]:
    """A COMPLETE run event of another producer."""
    return {
        "eventType": "COMPLETE",
        "eventTime": "2024-05-01T10:00:00Z",
        "run": {"runId": "01908f5e-0000-7000-8000-000000000000"},
        "job": {"namespace": namespace, "name": job},
        "inputs": inputs or [],
        "outputs": outputs,
        "producer": "https://example.invalid/spark",
    }


def column_lineage(fields: dict[str, object], dataset: list[object] | None = None) -> dict[str, object]:
    """The `columnLineage` facet of an output dataset."""
    facet: dict[str, object] = {"fields": fields}
    if dataset is not None:
        facet["dataset"] = dataset
    return {"columnLineage": facet}
