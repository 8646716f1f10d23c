"""The write lock: appends wait their turn across processes and threads, and give up at the deadline."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.ledger.sample import query_event
from workbench.errors import LedgerError
from workbench.ledger import Ledger

# Holds the ledger's write lock (as another appender would) until its stdin closes.
HOLDER = """
import fcntl, sys
lock = open(sys.argv[1], "a")
fcntl.flock(lock, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


def hold(path: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, f"{path}.lock"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.close()
    holder.wait(timeout=30)
    holder.stdout.close()


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    ledger = Ledger(tmp_path / "ledger.sqlite", busy_ms=300)
    ledger.append(query_event(1))
    return ledger


def test_an_append_gives_up_at_its_deadline_and_writes_nothing(ledger: Ledger) -> None:
    holder = hold(ledger.path)
    try:
        with pytest.raises(LedgerError, match="locked by another process for more than 300 ms"):
            ledger.append(query_event(2))
    finally:
        release(holder)
    assert [entry.seq for entry in ledger.entries()] == [1]
    assert ledger.append(query_event(2)).seq == 2  # the abandoned wait does not keep the lock


def test_a_waiting_append_goes_through_when_the_holder_lets_go(ledger: Ledger) -> None:
    ledger.busy_ms = 30_000
    holder = hold(ledger.path)
    done: list[int] = []
    waiter = threading.Thread(target=lambda: done.append(ledger.append(query_event(2)).seq))
    waiter.start()
    waiter.join(timeout=0.5)
    assert waiter.is_alive() and not done  # still waiting, in the kernel
    release(holder)
    waiter.join(timeout=30)
    assert done == [2]


def test_a_holder_killed_with_sigkill_releases_the_lock(ledger: Ledger) -> None:
    ledger.busy_ms = 30_000
    holder = hold(ledger.path)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    assert ledger.append(query_event(2)).seq == 2
    release(holder)


def test_threads_of_one_process_take_turns(ledger: Ledger) -> None:
    ledger.busy_ms = 30_000
    errors: list[BaseException] = []

    def work(actor: str) -> None:
        try:
            for n in range(40):
                ledger.append(query_event(n, actor))
        except BaseException as exc:  # reported below; a thread must not die silently
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"thread-{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert [entry.seq for entry in ledger.entries()] == list(range(1, 242))
    assert ledger.verify().ok


WRITER = """
import sys
from pathlib import Path
from workbench.ledger import Ledger, LedgerEvent

ledger = Ledger(Path(sys.argv[1]), busy_ms=60_000)
print("ready", flush=True)
sys.stdin.readline()
for n in range(int(sys.argv[3])):
    ledger.append(LedgerEvent(sys.argv[2], "", "", "query", "ok", {"n": n}))
"""


def test_two_busy_processes_both_make_progress(ledger: Ledger) -> None:
    """Neither writer waits for the other to finish: both appear early in the ledger."""
    count = 400
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(ledger.path), name, str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("left", "right")
    ]
    for writer in writers:  # both are ready before either starts
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.close()
    assert [writer.wait(timeout=300) for writer in writers] == [0, 0]
    for writer in writers:
        assert writer.stdout is not None
        writer.stdout.close()
    actors = [entry.actor for entry in ledger.entries(since_seq=2)]
    assert sorted(actors) == ["left"] * count + ["right"] * count
    first_half = actors[:count]
    assert min(first_half.count("left"), first_half.count("right")) >= count // 5, first_half
