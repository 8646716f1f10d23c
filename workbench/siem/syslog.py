"""Syslog delivery: RFC 5424 messages over TCP (RFC 6587 octet counting) or TLS (RFC 5425).

Each event is one message:

    <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [origin software="phi-workbench" swVersion="…"] BOM MSG

PRI is facility 13 (log audit) x 8 + severity (6 informational, 5 notice, 4 warning, 3 error for
the info, low, medium and high levels of `events.severity`); TIMESTAMP is the ledger time with
microseconds and offset; MSGID the ledger action (``checkpoint`` for checkpoints); MSG the event
in the chosen line format, UTF-8 after a byte-order mark as RFC 5424 asks. Each message is framed
as ``<length in octets> SP <message>``.

Syslog has no acknowledgement, so a batch counts as delivered only when, after sending it and
closing our side, the receiver closes its side cleanly (it has read everything). A reset or a
timeout leaves the batch in the spool to be sent again: at-least-once delivery.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from workbench.errors import BadInput, DeliveryFailed
from workbench.ledger import LedgerEntry
from workbench.siem.events import PRODUCT, AuditEvent, Severity, Source, severity

FACILITY: Final = 13  # log audit
SYSLOG_SEVERITY: Final[dict[Severity, int]] = {"info": 6, "low": 5, "medium": 4, "high": 3}
BOM: Final = "\ufeff"


def _ascii_token(text: str, limit: int) -> str:
    """An RFC 5424 header token: printable US-ASCII without spaces, at most `limit` long, or NILVALUE."""
    token = "".join(c if 33 <= ord(c) <= 126 else "_" for c in text)[:limit]
    return token or "-"


def _sd_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def message(event: AuditEvent, line: str, source: Source) -> str:
    """The RFC 5424 message for `event` carrying `line` (one line of any export format)."""
    timestamp, msgid = (
        (event.ts, str(event.action)) if isinstance(event, LedgerEntry) else (event.timestamp, "checkpoint")
    )
    pri = FACILITY * 8 + SYSLOG_SEVERITY[severity(event)]
    structured = f'[origin software="{_sd_value(PRODUCT)}" swVersion="{_sd_value(source.version)}"]'
    header = (
        f"<{pri}>1 {_ascii_token(timestamp, 64)} {_ascii_token(source.host, 255)} {PRODUCT} - "
        f"{_ascii_token(msgid, 32)} {structured}"
    )
    return f"{header} {BOM}{line}"


def frame(message_text: str) -> bytes:
    """Octet-counting framing (RFC 6587 section 3.4.1, RFC 5425): ``LEN SP MSG``."""
    data = message_text.encode("utf-8")
    return str(len(data)).encode("ascii") + b" " + data


def parse_address(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise BadInput(f"{address!r} is not HOST:PORT; pass e.g. siem.example:6514.")
    return host.strip("[]"), int(port)


class SyslogReceiver:
    """A syslog collector on TCP, optionally TLS: `deliver` sends one batch or raises DeliveryFailed."""

    def __init__(
        self, address: str, tls: bool = False, timeout: float = 10.0, ca_file: Path | None = None
    ) -> None:
        self.host, self.port = parse_address(address)
        self.timeout = timeout
        self._context = ssl.create_default_context(cafile=ca_file) if tls else None

    @property
    def label(self) -> str:
        return f"{'tls' if self._context else 'tcp'}://{self.host}:{self.port}"

    def deliver(self, units: Sequence[str]) -> None:
        payload = b"".join(frame(unit) for unit in units)
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as raw:
                if self._context is None:
                    raw.sendall(payload)
                    raw.shutdown(socket.SHUT_WR)
                    _await_close(raw)
                else:
                    with self._context.wrap_socket(raw, server_hostname=self.host) as tls:
                        tls.sendall(payload)
                        plain = tls.unwrap()  # close_notify both ways: the receiver read everything
                        _await_close(plain)
        except (OSError, ssl.SSLError) as exc:
            raise DeliveryFailed(
                f"The syslog receiver {self.label} did not take the batch ({type(exc).__name__}).",
                retry=True,
            ) from None


def _await_close(sock: socket.socket) -> None:
    """Wait for the receiver's end of stream; data it sends back is ignored."""
    while sock.recv(4096):
        pass
