"""Receivers the shipping tests run on 127.0.0.1: a Splunk HEC endpoint and a syslog collector.

Both can be stopped and started again on the same port (a receiver that goes down and comes back),
and the HEC endpoint can hang: hold a request without answering until released.
"""

from __future__ import annotations

import json
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.siem.parsers import parse_syslog, split_frames

TOKEN = "0f3c2f5e-5f6b-4a1e-9d7e-7a1b2c3d4e5f"


def wait_until(condition: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    """Poll `condition` until it holds; fail after `timeout` seconds (no fixed sleeps in tests)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.01)


class _HecServer(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True
    owner: HecReceiver


class _HecHandler(BaseHTTPRequestHandler):
    server: _HecServer

    def do_POST(self) -> None:
        owner = self.server.owner
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Authorization") != f"Splunk {TOKEN}":
            self._answer(403, {"text": "Invalid token", "code": 4})
            return
        if owner.hang:
            owner.holding.set()
            owner.release.wait(60)
        if owner.status != 200:
            self._answer(owner.status, {"text": "Server is busy", "code": 9})
            return
        decoder, text, i, events = json.JSONDecoder(), body.decode("utf-8"), 0, []
        while i < len(text):
            while i < len(text) and text[i].isspace():
                i += 1
            if i < len(text):
                event, i = decoder.raw_decode(text, i)
                events.append(event)
        with owner.lock:
            owner.events.extend(events)
            owner.requests += 1
        self._answer(200, {"text": "Success", "code": 0})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


class HecReceiver:
    """A Splunk HEC endpoint on 127.0.0.1; `events` holds every event object it accepted."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.requests = 0
        self.lock = threading.Lock()
        self.hang = False
        self.status = 200
        self.holding = threading.Event()
        self.release = threading.Event()
        self.port = 0
        self._server: _HecServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/services/collector/event"

    def start(self) -> HecReceiver:
        server = _HecServer(("127.0.0.1", self.port), _HecHandler)
        server.owner = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def seqs(self) -> list[int]:
        with self.lock:
            return [e["event"]["seq"] for e in self.events if e["event"]["kind"] == "entry"]


class _SyslogServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    owner: SyslogCollector


class _SyslogHandler(socketserver.BaseRequestHandler):
    server: _SyslogServer

    def handle(self) -> None:
        owner = self.server.owner
        conn: socket.socket = self.request
        conn.settimeout(10)
        if owner.tls is not None:
            conn = owner.tls.wrap_socket(conn, server_side=True)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
        if isinstance(conn, ssl.SSLSocket):
            conn = conn.unwrap()
        with owner.lock:
            owner.messages.extend(parse_syslog(frame) for frame in split_frames(data))
        conn.close()


class SyslogCollector:
    """An RFC 5424 collector on 127.0.0.1 (TCP, or TLS when given a server context)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.messages: list[Any] = []
        self.lock = threading.Lock()
        self.port = 0
        self._server: _SyslogServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> SyslogCollector:
        server = _SyslogServer(("127.0.0.1", self.port), _SyslogHandler)
        server.owner = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
