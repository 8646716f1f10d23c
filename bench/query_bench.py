"""Governed query vs raw DuckDB, side by side, on a generated 10-million-row claims table.

    .venv/bin/python bench/query_bench.py [--rows 10000000] [--repeat 7]

Reports the ratio governed/raw for an aggregate over non-PHI columns, for queries whose output
is generalized or hashed, and the fixed cost of the governed path (parse, policy, rewrite,
ledger append) on a small query. Writes the "query" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import write_section
from workbench import access, audit
from workbench.catalog import Catalog, classify_tables
from workbench.governed.guard import parse_single_query
from workbench.governed.query import decide, run_query
from workbench.governed.rewrite import rewrite
from workbench.lineage.sql import query_lineage
from workbench.policy import load_policy
from workbench.settings import Settings
from workbench.warehouse.duck import READER_CONFIG, reader

GENERATE = """
CREATE TABLE claims_big AS
SELECT
    uuid() AS Id,
    printf('%08x-0000-4000-8000-%012x', (i % 100000)::BIGINT, (i % 100000)::BIGINT) AS PATIENTID,
    (['Ava','Noah','Mia','Liam','Zoe','Omar','Ines','Kenji'])[1 + (i % 8)::INT] || (i % 997)::VARCHAR AS FIRST,
    (['Smith','Garcia','Nguyen','Okafor','Kowalski','Haddad'])[1 + (i % 6)::INT] || (i % 991)::VARCHAR AS LAST,
    printf('999-%02d-%04d', (i % 97)::INT, (i % 9973)::INT) AS SSN,
    DATE '1930-01-01' + INTERVAL (i % 30000) DAY AS BIRTHDATE,
    TIMESTAMP '2015-01-01' + INTERVAL (i % 3650) DAY AS SERVICEDATE,
    lpad(((i * 7919) % 99999)::VARCHAR, 5, '0') AS ZIP,
    (['ambulatory','emergency','inpatient','outpatient','wellness','urgentcare'])[1 + (i % 6)::INT]
        AS ENCOUNTERCLASS,
    ((i % 100000) / 7.0 + 12.5)::DECIMAL(18, 2) AS TOTAL_COST
FROM range(?) t(i)
"""

QUERIES = {
    "aggregate by a non-PHI column": (
        "SELECT ENCOUNTERCLASS, count(*), avg(TOTAL_COST) FROM claims_big GROUP BY 1 ORDER BY 1"
    ),
    "output generalized (birth year or 90+)": (
        "SELECT BIRTHDATE, count(*) FROM claims_big GROUP BY 1 ORDER BY 2 DESC LIMIT 20"
    ),
    "output hashed (patient key)": (
        "SELECT PATIENTID, sum(TOTAL_COST) FROM claims_big GROUP BY 1 ORDER BY 2 DESC LIMIT 20"
    ),
}


def timed(func: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(home=Path(tmp) / "home")
        settings.ensure_home()
        print(f"generating {args.rows:,} claims rows ...", flush=True)
        con = duckdb.connect(str(settings.warehouse_path))
        con.execute(GENERATE, [args.rows])
        con.execute("CREATE TABLE tiny AS SELECT * FROM claims_big LIMIT 100")
        tables = classify_tables(con, ["claims_big", "tiny"])
        con.close()
        Catalog({t.name: t for t in tables}).save(settings.catalog_path)
        phi = {c.name: [k.value for k in c.kinds] for c in tables[0].columns if c.kinds}
        print("classified:", phi, flush=True)
        access.login(settings, "bench", "researcher")

        rows = []
        raw_con = duckdb.connect(str(settings.warehouse_path), read_only=True, config=dict(READER_CONFIG))
        for title, sql in QUERIES.items():
            raw = timed(lambda sql=sql: raw_con.execute(sql).fetchall(), args.repeat)
            governed = timed(lambda sql=sql: run_query(sql, settings), args.repeat)
            rows.append((title, raw, governed))
            print(
                f"{title}: raw {raw * 1000:.1f} ms, governed {governed * 1000:.1f} ms, ratio {governed / raw:.2f}"
            )
        raw_con.close()

        small = "SELECT ENCOUNTERCLASS, FIRST, SSN FROM tiny WHERE TOTAL_COST > 20 LIMIT 5"
        policy = load_policy(None)
        role = policy.role("researcher")
        catalog = Catalog.load(settings.catalog_path)
        repeat_small = 300

        def fixed_path() -> None:
            statement = parse_single_query(small)
            lineage = query_lineage(statement, catalog.schema())
            decide(lineage, catalog, role)
            rewrite(statement, catalog, role)
            audit.record(settings, "query", "ok", {"bench": True})

        def plan_only() -> None:
            statement = parse_single_query(small)
            lineage = query_lineage(statement, catalog.schema())
            decide(lineage, catalog, role)
            rewrite(statement, catalog, role)

        def append_only() -> None:
            audit.record(settings, "query", "ok", {"bench": True})

        def raw_small() -> None:
            with reader(settings.warehouse_path) as c:
                c.execute(
                    "SELECT ENCOUNTERCLASS, FIRST, SSN FROM tiny WHERE TOTAL_COST > 20 LIMIT 5"
                ).fetchall()

        fixed = timed(fixed_path, repeat_small)
        plan = timed(plan_only, repeat_small)
        append = timed(append_only, repeat_small)
        whole_small = timed(lambda: run_query(small, settings), repeat_small // 3)
        open_exec = timed(raw_small, repeat_small // 3)

    lines = [
        "## Governed query vs raw DuckDB (`bench/query_bench.py`)",
        "",
        f"{args.rows:,} generated claims rows with PHI columns ({', '.join(f'{k}: {v[0]}' for k, v in phi.items())}); "
        f"role researcher; median of {args.repeat} runs; raw DuckDB keeps one open read-only connection, "
        "the governed path opens the file per query (so other processes can load meanwhile).",
        "",
        "| query | raw DuckDB (ms) | governed (ms) | ratio | target |",
        "|---|---:|---:|---:|---|",
    ]
    for (title, raw, governed), target in zip(rows, ("≤ 1.2×", "report", "report"), strict=True):
        lines.append(
            f"| {title} | {raw * 1000:.1f} | {governed * 1000:.1f} | {governed / raw:.2f}× | {target} |"
        )
    lines += [
        "",
        f"Fixed cost of the governed path on a small query (median of {repeat_small}): "
        f"**{fixed * 1000:.2f} ms** (target ≤ 10 ms) = parse + lineage + policy + rewrite "
        f"{plan * 1000:.2f} ms + ledger append {append * 1000:.2f} ms (WAL, synchronous=FULL). "
        f"Whole small query end to end {whole_small * 1000:.2f} ms, of which opening the file and "
        f"executing {open_exec * 1000:.2f} ms.",
    ]
    write_section("query", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
