"""Verifying a large ledger with several processes: each hashes one aligned run of entries.

Hashing is the cost of verification (two SHA-256 per entry) and each entry's hash depends only
on its own stored fields, so runs of entries can be checked independently. The runs are
aligned to a power of two, 2^k entries each, so each run's leaves form complete subtrees of the
whole tree: a worker returns the run's frontier (and the frontier at any checkpoint size inside
it), the first row's stored `prev_hash` and the last row's hash; the caller links the runs and
folds the frontiers into the tree. When any run is not entirely good, or two runs do not link,
the caller falls back to the single-process pass, which names the first divergence exactly.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from workbench.ledger.merkle import Frontier
from workbench.ledger.verify import Scan, scan

PARALLEL_MIN: Final = 200_000
"""Ledgers smaller than this are verified in one process (starting workers costs more)."""


@dataclass(frozen=True)
class RunScan:
    """One worker's result for entries first..last: whether all were good, how they link, their tree."""

    good: bool
    first_prev: str | None
    last_hash: str
    frontier: tuple[tuple[int, ...], tuple[bytes, ...]]
    snapshots: dict[int, tuple[tuple[int, ...], tuple[bytes, ...]]]

    def to_json(self) -> dict[str, object]:
        def tree(levels: tuple[int, ...], nodes: tuple[bytes, ...]) -> dict[str, object]:
            return {"levels": list(levels), "nodes": [node.hex() for node in nodes]}

        return {
            "good": self.good,
            "first_prev": self.first_prev,
            "last_hash": self.last_hash,
            "frontier": tree(*self.frontier),
            "snapshots": {str(size): tree(*value) for size, value in self.snapshots.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunScan:
        def tree(value: dict[str, Any]) -> tuple[tuple[int, ...], tuple[bytes, ...]]:
            return tuple(value["levels"]), tuple(bytes.fromhex(node) for node in value["nodes"])

        snapshots = {int(size): tree(value) for size, value in data["snapshots"].items()}
        return cls(data["good"], data["first_prev"], data["last_hash"], tree(data["frontier"]), snapshots)


def parallel_scan(conn: sqlite3.Connection, max_seq: int, sizes: list[int], workers: int) -> Scan | None:
    """The scan of entries 1..max_seq done by `workers` processes; None when it must be done serially.

    Workers are plain `python -c` subprocesses (not multiprocessing), so callers need no
    `if __name__ == "__main__"` guard; a worker that fails just means the serial pass runs.
    """
    if max_seq < PARALLEL_MIN:
        return None
    run = 1 << ((max_seq + workers - 1) // workers - 1).bit_length()  # at most `workers` runs
    runs = [(first, min(first + run - 1, max_seq)) for first in range(1, max_seq + 1, run)]
    database = conn.execute("PRAGMA database_list").fetchone()[2]
    started = [
        _start(database, first, last, [s for s in sizes if first <= s <= last]) for first, last in runs
    ]
    outputs = [process.communicate()[0] for process in started]
    if any(process.returncode != 0 for process in started):
        return None
    results = [RunScan.from_json(json.loads(out)) for out in outputs]
    tree, prev, roots = Frontier(), None, {}
    if 0 in sizes:
        roots[0] = tree.root()
    for result in results:
        if not result.good or (prev is not None and result.first_prev != prev):
            return None
        for size, (levels, nodes) in result.snapshots.items():
            roots[size] = _joined(tree, levels, nodes).root()
        tree = _joined(tree, *result.frontier)
        prev = result.last_hash
    assert prev is not None
    return Scan(max_seq, prev, tree, roots)


def _start(database: str, first: int, last: int, sizes: list[int]) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    command = [sys.executable, "-c", _WORKER, database, str(first), str(last), *map(str, sizes)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)


_WORKER: Final = "import sys; from workbench.ledger.parallel import main; main(sys.argv[1:])"


def main(argv: list[str]) -> None:
    """Worker entry point: scan one run of the ledger file and print the result as JSON."""
    database, first, last, *sizes = argv
    result = scan_run(database, int(first), int(last), [int(size) for size in sizes])
    print(json.dumps(result.to_json()))


def _joined(prefix: Frontier, levels: tuple[int, ...], nodes: tuple[bytes, ...]) -> Frontier:
    joined = prefix.copy()
    for level, digest in zip(levels, nodes, strict=True):
        joined.push_subtree(level, digest)
    return joined


def scan_run(database: str, first: int, last: int, sizes: list[int]) -> RunScan:
    """Scan entries first..last of the ledger file, starting from the first row's own link."""
    uri = f"{Path(database).as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as conn:
        conn.execute("BEGIN")
        row = conn.execute("SELECT prev_hash FROM entries WHERE seq = ?", (first,)).fetchone()
        if row is None or not isinstance(row[0], str):
            return RunScan(False, None, "", ((), ()), {})
        walked = scan(conn, start_seq=first, prev_hash=row[0], stop_seq=last, sizes=sizes, snapshots=True)
        good = walked.divergence is None and walked.last_seq == last
        snapshots = {
            size: (tuple(frontier.levels), tuple(frontier.nodes))
            for size, frontier in (walked.snapshots or {}).items()
        }
        frontier = (tuple(walked.frontier.levels), tuple(walked.frontier.nodes))
        return RunScan(good, row[0], walked.last_hash, frontier, snapshots)
