"""Four processes append 20,000 entries each while a fifth kills writers at random with SIGKILL.

Killed writers are restarted and resume after their last entry in the ledger. Afterwards: no
gap, no duplicate, every acknowledged append present, every checkpoint consistent (no fork) and
verification OK against the witness. This is the one long ledger test (about a minute or two).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from workbench.ledger import Keyring, Ledger, Notary, Witness

WRITERS = 4
PER_WRITER = 20_000
DEADLINE_S = 900

# A writer resumes after the last entry its actor has in the ledger, appends up to PER_WRITER,
# and writes each number to its ack file only after `append` has returned.
WRITER = """
import os, sqlite3, sys
from pathlib import Path
from workbench.ledger import CheckpointSchedule, Keyring, Ledger, LedgerEvent, Notary, Witness

home, name, total = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
(home / "pids" / name).write_text(str(os.getpid()))
notary = Notary(Keyring(home / "keys"), Witness(home / "witness"))
ledger = Ledger(home / "ledger.sqlite", busy_ms=60_000, notary=notary, schedule=CheckpointSchedule(1000, 1.0))
with sqlite3.connect(home / "ledger.sqlite") as db:
    done = db.execute(
        "SELECT max(json_extract(detail, '$.n')) FROM entries WHERE actor = ?", (name,)
    ).fetchone()[0]
acks = open(home / "acks" / name, "a", buffering=1)
for n in range(0 if done is None else done + 1, total):
    ledger.append(LedgerEvent(name, "researcher", "research", "query", "ok", {"n": n}))
    acks.write(f"{n}\\n")
"""

# Kills a random running writer with SIGKILL every 50-400 ms until its stdin closes. A pid is
# only killed while its command line still names this test's workspace (pids get reused).
KILLER = """
import os, random, select, signal, sys
from pathlib import Path

pids, home = Path(sys.argv[1]), sys.argv[2].encode()
while not select.select([sys.stdin], [], [], random.uniform(0.05, 0.4))[0]:
    files = list(pids.iterdir())
    if not files:
        continue
    try:
        pid = int(random.choice(files).read_text())
        if home in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.kill(pid, signal.SIGKILL)
            print("kill", flush=True)
    except (OSError, ValueError):
        pass  # the writer has just exited or is being restarted
"""


@pytest.mark.slow
def test_writers_killed_at_random_lose_nothing_acknowledged(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for folder in ("pids", "acks"):
        (home / folder).mkdir(parents=True)
    Ledger(home / "ledger.sqlite").close()  # create the file before the race

    def start(name: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", WRITER, str(home), name, str(PER_WRITER)])

    names = [f"writer-{i}" for i in range(WRITERS)]
    running = {name: start(name) for name in names}
    killer = subprocess.Popen(
        [sys.executable, "-c", KILLER, str(home / "pids"), str(home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    restarts = 0
    deadline = time.monotonic() + DEADLINE_S
    try:
        while running and time.monotonic() < deadline:
            for name, process in list(running.items()):
                code = process.poll()
                if code is None:
                    continue
                if code == 0:
                    del running[name]
                    (home / "pids" / name).unlink(missing_ok=True)
                else:
                    assert code == -signal.SIGKILL, f"{name} failed with exit code {code}"
                    running[name] = start(name)
                    restarts += 1
            time.sleep(0.05)  # polling the writers' exit codes; the writers do the work
    finally:
        assert killer.stdin is not None and killer.stdout is not None
        killer.stdin.close()
        kills = killer.stdout.read().count(b"kill")
        killer.wait(timeout=30)
        killer.stdout.close()
        for process in running.values():
            process.kill()
            process.wait(timeout=30)
    assert not running, f"writers still running after {DEADLINE_S} s"
    assert kills >= 10 and restarts >= 1, (kills, restarts)

    ledger = Ledger(home / "ledger.sqlite")
    entries = list(ledger.entries())
    assert [entry.seq for entry in entries] == list(
        range(1, WRITERS * PER_WRITER + 1)
    )  # no gap, no duplicate
    numbers: dict[str, list[object]] = defaultdict(list)
    for entry in entries:
        numbers[entry.actor].append(entry.detail["n"])
    assert numbers == {name: list(range(PER_WRITER)) for name in names}  # each append exactly once, in order
    for name in names:
        acknowledged = {int(line) for line in (home / "acks" / name).read_text().split()}
        assert acknowledged <= set(range(PER_WRITER))  # every acknowledged append is in the ledger

    notary = Notary(Keyring(home / "keys"), Witness(home / "witness"))
    trusted = notary.trusted()
    assert trusted.rejected == 0 and len(trusted.checkpoints) >= WRITERS * PER_WRITER // 1000 // 2
    sizes = [signed.checkpoint.size for signed in trusted.checkpoints]
    assert sizes == sorted(sizes)  # witnessed in order: never an older or forked checkpoint
    report = ledger.verify([signed.checkpoint for signed in trusted.checkpoints])
    assert report.ok and report.entries == WRITERS * PER_WRITER, report.to_json()
