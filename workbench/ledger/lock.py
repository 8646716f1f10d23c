"""The ledger's write lock: one appender at a time across processes, waited for fairly, with a deadline.

SQLite's own busy handler sleeps longer and longer (up to 100 ms) while the writer that holds
the lock commits and immediately takes it again, so under load one process starves the others.
Instead every appender first takes an exclusive flock(2) on `<ledger>.lock`:

* uncontended, that is one non-blocking system call;
* contended, the process first polls for up to 0.2 ms, yielding the CPU between tries (an
  append holds the lock for about 0.1 ms, so this is usually enough and costs no thread
  wake-ups), then waits *in the kernel*, blocked on the lock and woken the moment the holder
  releases it. A holder that comes straight back does its own work outside the lock first
  (building the next entry), so a waiting writer gets in: none is starved (the benchmark reports
  how evenly two busy writers progress, and the worst wait). The blocking call runs on a helper
  thread per process so the caller can give up at its deadline: an append that cannot get the
  lock in time fails, and the audited operation fails closed.

The kernel drops a flock when its process dies, so a writer killed with SIGKILL never leaves the
lock held. Within one process a `threading.Lock` admits one thread at a time (flock locks belong
to the open file, which all threads share). SQLite's busy timeout stays as a fallback for
writers that do not take this lock (an administrator's `sqlite3` shell).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
import weakref
from pathlib import Path
from typing import Final

_IDLE_S: Final = 5.0
_SPIN_S: Final = 0.0002
"""How long a contended append polls before queueing in the kernel (an append holds the lock ~0.1 ms)."""


class LockTimeout(Exception):
    """The lock was not granted before the deadline."""


class WriteLock:
    """An exclusive cross-process lock on `path` (created 0600 if missing)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._pid = -1
        self._setup()

    def _setup(self) -> None:
        inherited: weakref.finalize | None = getattr(self, "_closer", None)
        if inherited is not None:
            inherited()  # the parent's file description: closing our copy keeps the parent's lock
        self._pid = os.getpid()
        self._fd: int | None = None
        self._closer: weakref.finalize | None = None
        self._mutex = threading.Lock()  # one thread of this process at a time
        self._state = threading.Condition()
        self._asked = self._granted = 0  # tickets handed to the waiter thread, and granted
        self._abandoned: set[int] = set()
        self._failure: dict[int, OSError] = {}
        self._waiter: threading.Thread | None = None

    def acquire(self, timeout_s: float) -> None:
        """Take the lock within `timeout_s`, or raise LockTimeout; OSError if the file cannot be opened."""
        if self._pid != os.getpid():  # forked: the file description and threads are the parent's
            self._setup()
        deadline = time.monotonic() + timeout_s
        if not self._mutex.acquire(timeout=max(timeout_s, 0)):
            raise LockTimeout
        try:
            fd = self._open()
            spin_until = time.perf_counter() + _SPIN_S
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.perf_counter() > spin_until:
                        break
                    os.sched_yield()
        except BaseException:
            self._mutex.release()
            raise
        self._wait(deadline)  # on failure the mutex is released by whoever owns it then

    def release(self) -> None:
        assert self._fd is not None
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._mutex.release()

    def _open(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._closer = weakref.finalize(self, os.close, self._fd)  # when the ledger object goes away
        return self._fd

    def _wait(self, deadline: float) -> None:
        """Hand a ticket to the waiter thread and sleep until it is granted or the deadline passes."""
        with self._state:
            if self._waiter is None or not self._waiter.is_alive():
                self._waiter = threading.Thread(target=self._serve, name="ledger-lock", daemon=True)
                self._waiter.start()
            self._asked += 1
            ticket = self._asked
            self._state.notify_all()
            while self._granted != ticket:
                failure = self._failure.pop(ticket, None)
                if failure is not None:
                    self._mutex.release()
                    raise failure
                left = deadline - time.monotonic()
                if left <= 0:
                    # The waiter thread will release flock and mutex once the kernel grants it.
                    self._abandoned.add(ticket)
                    raise LockTimeout
                self._state.wait(left)

    def _serve(self) -> None:
        """Waiter thread: block in flock(2) for each ticket; grant it, or undo it if abandoned."""
        served = 0
        fd = self._fd
        assert fd is not None
        while True:
            with self._state:
                while self._asked == served:
                    if not self._state.wait(_IDLE_S) and self._asked == served:
                        self._waiter = None  # idle: let the thread end; the next wait starts one
                        return
                served = self._asked
            error: OSError | None = None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError as exc:
                error = exc
            with self._state:
                if served in self._abandoned:
                    self._abandoned.discard(served)
                    if error is None:
                        fcntl.flock(fd, fcntl.LOCK_UN)
                    self._mutex.release()
                elif error is not None:
                    self._failure[served] = error
                else:
                    self._granted = served
                self._state.notify_all()
