"""Opening the warehouse: short-lived connections, the read-only sandbox, waiting on another process's lock,
and engine messages scrubbed of values."""

from __future__ import annotations

import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import duckdb
import pytest

from workbench.errors import BadInput, EngineBusy
from workbench.warehouse.duck import reader, scrub_engine_error, writer

# Holds the warehouse read-write for argv[2] seconds, printing "ready" once it has the lock.
HOLDER = """
import sys, time
from pathlib import Path
from workbench.warehouse.duck import writer
with writer(Path(sys.argv[1])) as con:
    con.execute("CREATE OR REPLACE TABLE held AS SELECT 42 AS answer")
    print("ready", flush=True)
    time.sleep(float(sys.argv[2]))
"""


StartHolder = Callable[[float], "subprocess.Popen[str]"]
OpenWarehouse = Callable[..., AbstractContextManager[duckdb.DuckDBPyConnection]]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with writer(path) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS a UNION ALL SELECT 2")
    return path


@pytest.fixture
def start_holder(warehouse: Path) -> Iterator[StartHolder]:
    """Start a process that holds `warehouse` read-write; returns it once it has the lock."""
    started: list[subprocess.Popen[str]] = []

    def start(hold_seconds: float) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(warehouse), str(hold_seconds)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        _wait_for_ready(proc, timeout=30.0)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
        proc.communicate(timeout=30)


def _wait_for_ready(proc: subprocess.Popen[str], *, timeout: float) -> None:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([proc.stdout], [], [], remaining)
        if not readable:
            break
        line = proc.stdout.readline()
        if line.strip() == "ready":
            return
        if not line:  # the holder exited before taking the lock
            _, err = proc.communicate(timeout=30)
            pytest.fail(f"holder process failed: {err}")
    pytest.fail(f"holder process not ready within {timeout} s")


# --- opening and closing ------------------------------------------------------------------------------


def test_reader_of_missing_file_is_bad_input(tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    with (
        pytest.raises(BadInput, match=r"No warehouse at .*none\.duckdb; run `workbench seed`"),
        reader(missing),
    ):
        pass
    assert not missing.exists()


def test_reader_of_a_file_that_is_not_duckdb_is_bad_input(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a database\n" * 1000)
    with pytest.raises(BadInput, match="Cannot open the warehouse"), reader(junk):
        pass


def test_writer_commits_when_the_block_ends(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with writer(path) as con:
        con.execute("CREATE TABLE t AS SELECT 7 AS a")
    with reader(path) as con:
        assert con.execute("SELECT a FROM t").fetchall() == [(7,)]


def test_writer_rolls_back_when_the_block_raises(warehouse: Path) -> None:
    with pytest.raises(RuntimeError), writer(warehouse) as con:
        con.execute("CREATE OR REPLACE TABLE t AS SELECT 99 AS a")
        con.execute("CREATE TABLE stray AS SELECT 1 AS b")
        raise RuntimeError("boom")
    with reader(warehouse) as con:
        assert con.execute("SELECT a FROM t ORDER BY a").fetchall() == [(1,), (2,)]
        assert con.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [("t",)]


def test_writer_rolls_back_after_an_engine_error(warehouse: Path) -> None:
    with pytest.raises(duckdb.ConversionException), writer(warehouse) as con:
        con.execute("CREATE OR REPLACE TABLE t AS SELECT 99 AS a")
        con.execute("SELECT 'x'::INTEGER")
    with reader(warehouse) as con:
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(2,)]


def test_reader_and_writer_alternate_in_one_process(warehouse: Path) -> None:
    """DuckDB refuses a second connection with another config while one is open; none is kept open."""
    for n in range(3):
        with writer(warehouse) as con:
            con.execute(f"INSERT INTO t VALUES ({10 + n})")
        with reader(warehouse) as con:
            assert con.execute("SELECT count(*) FROM t").fetchall() == [(3 + n,)]


def test_two_readers_in_one_process(warehouse: Path) -> None:
    with reader(warehouse) as first, reader(warehouse) as second:
        assert first.execute("SELECT count(*) FROM t").fetchall() == [(2,)]
        assert second.execute("SELECT count(*) FROM t").fetchall() == [(2,)]


def test_reader_inside_writer_of_this_process_is_busy(warehouse: Path) -> None:
    with (
        writer(warehouse),
        pytest.raises(EngineBusy, match="busy in this process"),
        reader(warehouse, wait_seconds=0.1),
    ):
        pass


# --- the read-only sandbox ------------------------------------------------------------------------------

SANDBOX_REFUSES = [
    ("SELECT * FROM read_csv('/etc/hosts')", "file system operations are disabled"),
    ("SELECT * FROM read_text('/etc/hosts')", "file system operations are disabled"),
    ("SELECT * FROM glob('/etc/*')", "file system operations are disabled"),
    ("COPY t TO '{tmp}/out.csv'", "file system operations are disabled"),
    ("EXPORT DATABASE '{tmp}/export'", "file system operations are disabled"),
    ("ATTACH '{tmp}/other.duckdb' AS other", "file system operations are disabled"),
    ("INSTALL httpfs", "disabled"),
    ("LOAD httpfs", "disabled"),
    ("SET enable_external_access = true", "configuration has been locked"),
    ("SET lock_configuration = false", "configuration has been locked"),
    ("SET autoload_known_extensions = true", "configuration has been locked"),
    ("CREATE TABLE u AS SELECT 1", "read-only mode"),
    ("INSERT INTO t VALUES (3)", "read-only mode"),
    ("SELECT * FROM python_frame", "does not exist"),  # no scans of Python variables
]


@pytest.mark.parametrize(("statement", "why"), SANDBOX_REFUSES)
def test_reader_sandbox_refuses(warehouse: Path, tmp_path: Path, statement: str, why: str) -> None:
    python_frame = {"a": [1]}  # a replacement scan would find this local; the sandbox must not
    assert python_frame
    with reader(warehouse) as con, pytest.raises(duckdb.Error, match=why):
        con.execute(statement.format(tmp=tmp_path)).fetchall()
    assert not (tmp_path / "out.csv").exists()
    assert not (tmp_path / "other.duckdb").exists()


SANDBOX_ALLOWS = [
    ("SELECT sum(a) FROM t", [(3,)]),
    ("SELECT current_setting('enable_external_access')", [(False,)]),
    ("SELECT current_setting('lock_configuration')", [(True,)]),
    ("SELECT current_setting('autoinstall_known_extensions')", [(False,)]),
]


@pytest.mark.parametrize(("statement", "rows"), SANDBOX_ALLOWS)
def test_reader_sandbox_allows(warehouse: Path, statement: str, rows: list[tuple[object, ...]]) -> None:
    with reader(warehouse) as con:
        assert con.execute(statement).fetchall() == rows


# --- waiting on another process --------------------------------------------------------------------------


def test_reader_waits_for_another_process_to_release(warehouse: Path, start_holder: StartHolder) -> None:
    holder = start_holder(1.5)
    with reader(warehouse, wait_seconds=30) as con:
        # `held` was created inside the holder's transaction: seeing it means we opened after its commit.
        assert con.execute("SELECT answer FROM held").fetchall() == [(42,)]
    holder.communicate(timeout=30)
    assert holder.returncode == 0


@pytest.mark.parametrize("open_warehouse", [reader, writer], ids=["reader", "writer"])
def test_open_gives_up_after_wait_seconds(
    warehouse: Path, start_holder: StartHolder, open_warehouse: OpenWarehouse
) -> None:
    holder = start_holder(60)
    with pytest.raises(EngineBusy) as caught, open_warehouse(warehouse, wait_seconds=0.3):
        pass
    message = str(caught.value)
    assert f"busy in another process (pid {holder.pid})" in message
    assert "raise lock_wait_seconds" in message


def test_zero_wait_tries_once(warehouse: Path, start_holder: StartHolder) -> None:
    start_holder(60)
    with pytest.raises(EngineBusy), reader(warehouse, wait_seconds=0):
        pass


# --- scrubbing engine messages -------------------------------------------------------------------------

SECRET = 'Zebulon O\'Hara "Jr" 4417'
SECRET_PARTS = ("Zebulon", "Hara", "Jr", "4417")


@pytest.fixture(scope="module")
def secrets_db() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, name VARCHAR, big BIGINT, born DATE)")
    con.execute("INSERT INTO p VALUES (4417, ?, 3037004417, DATE '2001-02-03')", [SECRET])
    yield con
    con.close()


# (statement, fragments the scrubbed message keeps); every row also checks no part of SECRET survives.
SCRUB_CASES = [
    ("SELECT name::INTEGER FROM p", ["Conversion Error: a value could not be converted to INT32"]),
    ("SELECT name::DATE FROM p", ["Conversion Error: a value could not be converted"]),
    ("SELECT name::UUID FROM p", ["Conversion Error: a value could not be converted"]),
    ("SELECT name::JSON FROM p", ["Conversion Error: a value could not be converted"]),
    ("SELECT [name]::INTEGER[] FROM p", ["Conversion Error", "INT32"]),
    ("SELECT strptime(name, '%Y') FROM p", ["Invalid Input Error: Could not parse string"]),
    ("SELECT error(name) FROM p", ["Invalid Input Error (details withheld"]),
    ("SELECT regexp_matches('a', name || '(') FROM p", ["Invalid Input Error (details withheld"]),
    ("INSERT INTO p VALUES (4417, 'x', 0, NULL)", ["Constraint Error: Duplicate key", "primary key"]),
    ("SELECT big * big FROM p", ["Out of Range Error: Overflow in multiplication of INT64"]),
    ("SELECT big::INTEGER FROM p", ["Conversion Error: a value could not be converted"]),
    ("SELECT (big * 100)::DECIMAL(4,1) FROM p", ["Conversion Error", "DECIMAL(4,1)"]),
    ("SELECT make_date(4417, 13, 1)", ["Conversion Error: a value could not be converted"]),
    ("SELECT * FROM p WHERE name = 'Zebulon O''Hara' AND", ["Parser Error: syntax error"]),
    # negative rows: names are kept, so the user can fix the query
    ("SELECT nosuch FROM p", ['Binder Error: Referenced column "nosuch" not found']),
    ("SELECT p.nm FROM p", ['Table "p" does not have a column named "nm"']),
    ("SELECT * FROM nosuch_table", ["Catalog Error: Table with name nosuch_table does not exist!"]),
    ("SELECT born + name FROM p", ["Binder Error: No function matches", "'+(DATE, VARCHAR)'"]),
]


@pytest.mark.parametrize(("statement", "kept"), SCRUB_CASES)
def test_scrub_engine_error(secrets_db: duckdb.DuckDBPyConnection, statement: str, kept: list[str]) -> None:
    with pytest.raises(duckdb.Error) as caught:
        secrets_db.execute(statement).fetchall()
    scrubbed = scrub_engine_error(caught.value)
    assert "\n" not in scrubbed
    assert "LINE 1" not in scrubbed
    for fragment in kept:
        assert fragment in scrubbed
    for part in SECRET_PARTS:
        assert part not in scrubbed


CSV_CASES = [
    ("Id,BIRTHDATE\nA,2001-02-03\nB,Zebulon4417\n", ["Conversion Error: a value could not be converted"]),
    ("Id,BIRTHDATE\nA,2001-02-03,Zebulon4417\n", ["Invalid Input Error: CSV Error on Line: 2"]),
    ('Id,BIRTHDATE\nA,"Zebulon4417\n', ["Invalid Input Error: CSV Error on Line: 2"]),
]


@pytest.mark.parametrize(("content", "kept"), CSV_CASES)
def test_scrub_engine_error_from_csv(tmp_path: Path, content: str, kept: list[str]) -> None:
    source = tmp_path / "p.csv"
    source.write_text(content)
    con = duckdb.connect()
    with pytest.raises(duckdb.Error) as caught:
        con.execute(
            f"SELECT * FROM read_csv('{source}', columns = {{'Id': 'VARCHAR', 'BIRTHDATE': 'DATE'}}, "
            "header = true, auto_detect = false)"
        ).fetchall()
    con.close()
    scrubbed = scrub_engine_error(caught.value)
    assert "Original Line" not in scrubbed
    assert "Zebulon" not in scrubbed
    assert "4417" not in scrubbed
    for fragment in kept:
        assert fragment in scrubbed


# (engine message, scrubbed): shapes not produced above, including wordings DuckDB may adopt later.
SCRUB_MESSAGES = [
    (
        "Conversion Error: Could not convert string 'O'Brien' into INT32",
        "Conversion Error: a value could not be converted to INT32; check the casts and comparisons in the query",
    ),
    (
        "Conversion Error: Could not convert value 'abc",
        "Conversion Error: a value could not be converted; check the casts and comparisons in the query",
    ),
    (
        "Conversion Error: Type INT64 with value 3037004417 can't be cast to INT32",
        "Conversion Error: a value could not be converted to INT32; check the casts and comparisons in the query",
    ),
    ("IO Error: Could not read 'Zeb' at byte 4417", "IO Error: Could not read '…' at byte 4417"),
    (
        'Binder Error: column "a" must appear in the GROUP BY clause\nEither add it',
        'Binder Error: column "a" must appear in the GROUP BY clause',
    ),
    (
        "Catalog Error: Table with name x does not exist!\nDid you mean \"t\"?\n\nLINE 1: SELECT 'Zeb'",
        "Catalog Error: Table with name x does not exist!",
    ),
    (
        "Conversion Error: Could not cast value 4417 to DECIMAL(18,2)",
        "Conversion Error: a value could not be converted to DECIMAL(18,2); check the casts and comparisons in the query",
    ),
    (
        "Invalid Input Error: Zebulon 4417",
        "Invalid Input Error (details withheld; they may hold data values)",
    ),
    ("", "Error"),
]


@pytest.mark.parametrize(("message", "scrubbed"), SCRUB_MESSAGES)
def test_scrub_engine_error_messages(message: str, scrubbed: str) -> None:
    assert scrub_engine_error(duckdb.Error(message)) == scrubbed
