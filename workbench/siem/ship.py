"""Live shipping: follow the ledger and deliver new entries (and checkpoints) to a receiver.

The shipper is its own process (`workbench ledger ship`). Governed operations only append to the
SQLite ledger and never wait for it; the shipper reads the ledger (WAL readers do not block
writers), spools what it read, and delivers the spool:

    loop until stopped:
        fill   -- read entries after the spool cursor, format them, store them as batches (synced)
        send   -- deliver the oldest batch; on success delete it; on a retryable failure wait
                  with exponential back-off and jitter, then try again; stop on any other failure
        idle   -- nothing pending: wait `poll_seconds` for new entries

Every wait is on the stop event, so stopping is immediate; nothing is lost while the receiver
is down, because the spool keeps the batches until one is accepted.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

from workbench.audit_query import reading
from workbench.errors import DeliveryFailed
from workbench.ledger import Ledger
from workbench.siem.checkpoints import CheckpointRecord
from workbench.siem.events import AuditEvent
from workbench.siem.export import interleave
from workbench.siem.spool import Spool


class Receiver(Protocol):
    """Where batches go: `deliver` returns when the receiver took the batch, or raises DeliveryFailed."""

    @property
    def label(self) -> str: ...

    def deliver(self, units: Sequence[str]) -> None: ...


@dataclass(frozen=True)
class ShipOptions:
    """Batching and retry tunables (CLI: --batch-size, --poll-seconds, --max-backoff-seconds)."""

    batch_size: int = 500
    poll_seconds: float = 1.0
    initial_backoff: float = 0.5
    max_backoff: float = 30.0


@dataclass
class ShipStatus:
    """Counters a running shipper keeps (read by the CLI's final line and by tests)."""

    spooled_entries: int = 0
    delivered_batches: int = 0
    delivered_units: int = 0
    failures: int = 0
    last_error: str | None = None
    pending: int = 0


class Shipper:
    """Moves ledger entries into `spool` and from there to `receiver`."""

    def __init__(
        self,
        ledger: Ledger,
        spool: Spool,
        receiver: Receiver,
        to_unit: Callable[[AuditEvent], str],
        checkpoints: Callable[[], Sequence[CheckpointRecord]],
        options: ShipOptions | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.ledger = ledger
        self.spool = spool
        self.receiver = receiver
        self.to_unit = to_unit
        self.checkpoints = checkpoints
        self.options = options or ShipOptions()
        self.status = ShipStatus()
        self._notify = notify or (lambda message: None)

    def fill(self) -> int:
        """Spool every entry appended since the cursor, in batches; return how many entries were spooled."""
        spooled = 0
        while True:
            cursor = self.spool.cursor()
            with reading(self.ledger, cursor.next_seq) as stream:
                entries = list(islice(stream, self.options.batch_size))
            last_seq = entries[-1].seq if entries else cursor.next_seq - 1
            fresh = [cp for cp in self.checkpoints() if cursor.checkpoint_size < cp.size <= last_seq]
            if not entries and not fresh:
                return spooled
            units = [self.to_unit(event) for event in interleave(entries, fresh)]
            checkpoint_size = max([cursor.checkpoint_size, *(cp.size for cp in fresh)])
            self.spool.add(units, last_seq + 1, checkpoint_size)
            spooled += len(entries)
            self.status.spooled_entries += len(entries)
            if len(entries) < self.options.batch_size:
                return spooled

    def send_pending(self) -> int:
        """Deliver pending batches oldest first until none is left; DeliveryFailed on the first failure."""
        sent = 0
        for batch in self.spool.pending():
            units = self.spool.read(batch)
            self.receiver.deliver(units)
            self.spool.ack(batch)
            sent += 1
            self.status.delivered_batches += 1
            self.status.delivered_units += len(units)
        return sent

    def run_once(self) -> None:
        """Fill, then deliver everything pending; DeliveryFailed leaves the rest in the spool."""
        self.fill()
        try:
            self.send_pending()
        except DeliveryFailed as failure:
            left = len(self.spool.pending())
            raise DeliveryFailed(
                f"{failure.message} {left} batches stay in the spool {self.spool.folder}; ship again later.",
                retry=failure.retry,
            ) from None
        finally:
            self.status.pending = len(self.spool.pending())

    def run(self, stop: threading.Event) -> None:
        """Follow the ledger until `stop` is set; DeliveryFailed (not retryable) ends the run."""
        attempt = 0
        while not stop.is_set():
            self.fill()
            try:
                sent = self.send_pending()
            except DeliveryFailed as failure:
                self.status.failures += 1
                self.status.last_error = failure.message
                if not failure.retry:
                    raise
                if attempt == 0:
                    self._notify(f"{failure.message} Retrying with back-off; new entries are spooled.")
                stop.wait(self._backoff(attempt))
                attempt += 1
                continue
            if attempt:
                self._notify(f"{self.receiver.label} is taking batches again.")
            attempt = 0
            self.status.pending = len(self.spool.pending())
            if not sent:
                stop.wait(self.options.poll_seconds)

    def _backoff(self, attempt: int) -> float:
        """Exponential back-off with jitter: half to all of initial x 2^attempt, capped."""
        ceiling = min(self.options.max_backoff, self.options.initial_backoff * 2 ** min(attempt, 30))
        return ceiling * (0.5 + random.random() / 2)
