"""Delivering batches to a Splunk HTTP Event Collector.

One POST per batch to ``<url>`` (``/services/collector/event`` when the URL has no path), body the
batch's event objects one after another, header ``Authorization: Splunk <token>``. A 2xx answer is
delivery. Connection errors, timeouts, 408, 429 and 5xx are worth retrying (HEC answers 503 when
busy); other 4xx (bad token, bad URL, bad data) are not, and stop the shipper with the batch kept
in the spool. The token is read from a file and never printed or recorded.
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Sequence
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from workbench.errors import BadInput, DeliveryFailed

DEFAULT_PATH: Final = "/services/collector/event"
RETRY_STATUSES: Final = frozenset({408, 429})


def read_token(path: Path) -> str:
    """The HEC token in `path` (surrounding whitespace ignored); BadInput when missing or empty."""
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError:
        raise BadInput(
            f"Cannot read the token file {path}; pass --token-file with a readable file."
        ) from None
    if not token or any(c.isspace() for c in token):
        raise BadInput(f"The token file {path} must hold one HEC token on one line.")
    return token


class HecReceiver:
    """A Splunk HEC endpoint: `deliver` posts one batch or raises DeliveryFailed."""

    def __init__(self, url: str, token: str, timeout: float = 10.0, ca_file: Path | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadInput(f"{url!r} is not an http(s) URL; pass e.g. https://splunk.example:8088.")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.path = (parts.path if parts.path not in ("", "/") else DEFAULT_PATH) + (
            f"?{parts.query}" if parts.query else ""
        )
        self.timeout = timeout
        self._token = token
        self._context = ssl.create_default_context(cafile=ca_file) if parts.scheme == "https" else None

    @property
    def label(self) -> str:
        """Where batches go, without credentials or query string (safe to print and record)."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def _connection(self) -> http.client.HTTPConnection:
        if self._context is not None:
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=self.timeout, context=self._context
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def deliver(self, units: Sequence[str]) -> None:
        body = "\n".join(units).encode("utf-8")
        conn = self._connection()
        try:
            conn.request(
                "POST",
                self.path,
                body=body,
                headers={"Authorization": f"Splunk {self._token}", "Content-Type": "application/json"},
            )
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            raise DeliveryFailed(
                f"The HEC endpoint {self.label} did not answer ({type(exc).__name__}).", retry=True
            ) from None
        finally:
            conn.close()
        if 200 <= status < 300:
            return
        retry = status in RETRY_STATUSES or status >= 500
        raise DeliveryFailed(
            f"The HEC endpoint {self.label} answered HTTP {status}"
            + ("." if retry else "; check the URL and the token, then ship again."),
            retry=retry,
        )
