"""Several processes appending to one ledger file at once: no duplicate seq, no gap, a valid chain."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from workbench.ledger import Ledger

WORKERS = 4
PER_WORKER = 500

# Each worker opens the (possibly not yet created) ledger, waits for the go line on stdin so all
# start together, then appends PER_WORKER entries numbered 0..PER_WORKER-1.
WORKER = """
import sys
from pathlib import Path
from workbench.ledger import Ledger, LedgerEvent

name, path, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
ledger = Ledger(path)
sys.stdin.readline()
for n in range(count):
    ledger.append(LedgerEvent(name, "researcher", "research", "query", "ok", {"n": n}))
"""


def test_processes_appending_concurrently_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "home" / "ledger.sqlite"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, f"worker-{i}", str(path), str(PER_WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(WORKERS)
    ]
    try:
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        results = [worker.communicate(timeout=120) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert [worker.returncode for worker in workers] == [0] * WORKERS, [err for _, err in results]

    ledger = Ledger(path)
    entries = list(ledger.entries())
    assert [entry.seq for entry in entries] == list(range(1, WORKERS * PER_WORKER + 1))
    numbers: dict[str, list[object]] = defaultdict(list)
    for entry in entries:
        numbers[entry.actor].append(entry.detail["n"])
    assert numbers == {f"worker-{i}": list(range(PER_WORKER)) for i in range(WORKERS)}
    assert ledger.verify().to_json() == {
        "ok": True,
        "entries": WORKERS * PER_WORKER,
        "first_bad_seq": None,
        "kind": None,
    }
