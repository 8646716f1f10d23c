"""Live shipping against receivers on 127.0.0.1: no loss across a receiver restart, a hanging
receiver never slows a governed query, RFC 5424 framing over TCP and TLS, the spool's rules.

Every wait polls with a deadline (`wait_until`); every thread and process is stopped in `finally`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.siem.cli import run
from tests.siem.parsers import parse_cef
from tests.siem.receivers import TOKEN, HecReceiver, SyslogCollector, wait_until
from tests.siem.sample import ledger_with
from workbench import audit
from workbench.errors import BadInput, DeliveryFailed
from workbench.ledger import LedgerEvent
from workbench.settings import Settings
from workbench.siem.events import Source
from workbench.siem.formats import format_event
from workbench.siem.hec import HecReceiver as HecClient
from workbench.siem.ship import ShipOptions, Shipper
from workbench.siem.spool import Spool

FAST = ShipOptions(batch_size=4, poll_seconds=0.02, initial_backoff=0.02, max_backoff=0.1)
SOURCE = Source("test-host", "0.1.0")


def event(n: int) -> LedgerEvent:
    return LedgerEvent("ana", "researcher", "research", "query", "ok", {"n": n, "tables": ["patients"]})


@pytest.fixture
def hec() -> Iterator[HecReceiver]:
    receiver = HecReceiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "hec.token"
    path.write_text(TOKEN + "\n")
    return path


@contextmanager
def following(shipper: Shipper) -> Iterator[threading.Thread]:
    """Run `shipper` in a thread until the block ends; its errors fail the test."""
    stop, errors = threading.Event(), []

    def follow() -> None:
        try:
            shipper.run(stop)
        except BaseException as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(15)
    assert not thread.is_alive(), "the shipper did not stop"
    assert not errors, errors


def test_no_loss_across_a_receiver_restart(settings: Settings, hec: HecReceiver, tmp_path: Path) -> None:
    ledger, _ = ledger_with(settings.ledger_path, [event(n) for n in range(1, 11)])
    with Spool(tmp_path / "spool", {"target": "hec", "format": "splunk-hec"}) as spool:
        shipper = Shipper(
            audit.ledger(settings),
            spool,
            HecClient(hec.url, TOKEN, timeout=5),
            lambda e: format_event("splunk-hec", e, SOURCE),
            lambda: (),
            FAST,
        )
        with following(shipper):
            wait_until(lambda: len(hec.seqs()) == 10, what="the first ten entries")
            hec.stop()  # the receiver goes down ...
            for n in range(11, 24):
                ledger.append(event(n))  # ... while entries keep being recorded
            wait_until(lambda: shipper.status.failures >= 2, what="failed deliveries while down")
            wait_until(lambda: shipper.status.spooled_entries == 23, what="new entries spooled")
            assert len(hec.seqs()) == 10 and spool.pending()
            hec.start()  # ... and comes back on the same port
            wait_until(lambda: set(hec.seqs()) == set(range(1, 24)), what="every entry delivered")
            wait_until(lambda: not spool.pending(), what="an empty spool")
    assert sorted(set(hec.seqs())) == list(range(1, 24))  # nothing lost (at least once: no gaps)
    delivered = {e["event"]["seq"]: e["event"]["hash"] for e in hec.events}
    assert delivered == {entry.seq: entry.hash for entry in ledger.entries()}


def test_a_hanging_receiver_does_not_slow_governed_queries(
    loaded: Settings, hec: HecReceiver, token_file: Path
) -> None:
    from workbench.access import login
    from workbench.governed.query import run_query

    login(loaded, "ana", "researcher")
    sql = "SELECT GENDER, count(*) AS n FROM patients GROUP BY 1 ORDER BY 1"
    baseline = run_query(sql, loaded)  # no shipper running
    hec.hang = True
    shipper = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli.main", "ledger", "ship", "--to", "splunk-hec", hec.url,
         "--token-file", str(token_file), "--poll-seconds", "0.05", "--timeout-seconds", "60"],
        env={**os.environ, "WORKBENCH_HOME": str(loaded.home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        wait_until(hec.holding.is_set, timeout=30, what="the shipper to be stuck on the hanging receiver")
        during = run_query(sql, loaded)  # completes while the receiver provably holds the shipper
        assert hec.holding.is_set() and not hec.release.is_set() and hec.requests == 0
        assert shipper.poll() is None  # the shipper is still waiting for its answer
        assert during.rows == baseline.rows and during.seq > baseline.seq
        hec.hang = False
        hec.release.set()
        wait_until(lambda: during.seq in hec.seqs(), timeout=30, what="the shipper to catch up")
    finally:
        hec.release.set()
        shipper.send_signal(signal.SIGTERM)
        try:
            _, err = shipper.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            shipper.kill()
            _, err = shipper.communicate()
    assert shipper.returncode == 0, err.decode()
    assert set(hec.seqs()) >= set(range(1, during.seq + 1))


def test_cli_ship_once_and_follow_state(
    settings: Settings, hec: HecReceiver, token_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger_with(settings.ledger_path, [event(n) for n in range(1, 6)])
    argv = ["ledger", "ship", "--to", "splunk-hec", hec.url, "--token-file", str(token_file), "--once"]
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["delivered_units"] == 6 and report["pending"] == 0  # 5 entries + the ship record
    assert hec.seqs() == [1, 2, 3, 4, 5, 6]
    shipped = [e["event"] for e in hec.events]
    assert shipped[-1]["action"] == "export" and shipped[-1]["detail"]["to"] == "splunk-hec"
    assert TOKEN not in json.dumps(shipped)  # the token is never recorded
    code, _, err = run(capsys, *argv)  # nothing new but its own record
    assert code == 0 and hec.seqs() == [1, 2, 3, 4, 5, 6, 7]


def test_a_refused_token_stops_and_keeps_the_batch(
    settings: Settings, hec: HecReceiver, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger_with(settings.ledger_path, [event(1)])
    bad = tmp_path / "bad.token"
    bad.write_text("not-the-token")
    code, _, err = run(capsys, "ledger", "ship", "--to", "splunk-hec", hec.url, "--token-file", str(bad))
    assert code == 1 and err.count("\n") == 1 and "HTTP 403" in err and "not-the-token" not in err
    assert hec.seqs() == []
    spools = list((settings.home / "spool").iterdir())
    assert len(spools) == 1 and list((spools[0] / "batches").iterdir())


def test_busy_receiver_is_retried(settings: Settings, hec: HecReceiver, tmp_path: Path) -> None:
    ledger_with(settings.ledger_path, [event(n) for n in range(1, 4)])
    hec.status = 503
    with Spool(tmp_path / "spool", {"target": "hec", "format": "splunk-hec"}) as spool:
        shipper = Shipper(
            audit.ledger(settings),
            spool,
            HecClient(hec.url, TOKEN, timeout=5),
            lambda e: format_event("splunk-hec", e, SOURCE),
            lambda: (),
            FAST,
        )
        with following(shipper):
            wait_until(lambda: shipper.status.failures >= 3, what="retries on 503")
            hec.status = 200
            wait_until(lambda: hec.seqs() == [1, 2, 3], what="delivery after the 503s")


def test_syslog_rfc5424_over_tcp_with_cef(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    _, entries = ledger_with(
        settings.ledger_path,
        [event(1), LedgerEvent("bo|x\n", "break_glass", "treatment", "query", "denied", {"reason": "a=b"})],
    )
    collector = SyslogCollector().start()
    try:
        code, _, err = run(capsys, "ledger", "ship", "--to", "syslog", collector.address, "--once")
        assert code == 0, err
        wait_until(lambda: len(collector.messages) == 3, what="three syslog messages")
    finally:
        collector.stop()
    first, second, record = collector.messages
    assert (first.version, first.app_name, first.procid, first.msgid) == ("1", "phi-workbench", "-", "query")
    assert first.pri == 13 * 8 + 6 and second.pri == 13 * 8 + 3  # log audit; informational / break-glass
    assert (
        first.timestamp == entries[0].ts
        and dt.datetime.fromisoformat(first.timestamp).utcoffset() is not None
    )
    assert first.structured_data.startswith('[origin software="phi-workbench"')
    assert second.message.startswith("\ufeffCEF:0|")
    cef = parse_cef(second.message[1:])
    assert cef.extension["suser"] == "bo|x\n" and cef.extension["reason"] == "a=b"
    assert record.msgid == "export"


def test_syslog_receiver_down_then_up(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    ledger_with(settings.ledger_path, [event(n) for n in range(1, 4)])
    collector = SyslogCollector().start()
    collector.stop()  # reserve a port, then go down
    argv = ["ledger", "ship", "--to", "syslog", collector.address, "--format", "json", "--once"]
    code, _, err = run(capsys, *argv)
    assert code == 1 and err.count("\n") == 1 and "stay in the spool" in err
    collector.start()
    try:
        code, _, err = run(capsys, *argv)
        assert code == 0, err
        wait_until(lambda: len(collector.messages) >= 5, what="the spooled and new messages")
    finally:
        collector.stop()
    seqs = [json.loads(m.message[1:])["seq"] for m in collector.messages]
    assert sorted(set(seqs)) == [1, 2, 3, 4, 5]  # three entries and both ship records, none lost


def _tls_contexts(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]),
            False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_path, key_path)
    return server, cert_path


def test_syslog_over_tls(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger_with(settings.ledger_path, [event(1), event(2)])
    server_context, ca_file = _tls_contexts(tmp_path)
    collector = SyslogCollector(tls=server_context).start()
    try:
        argv = ["ledger", "ship", "--to", "syslog", collector.address, "--tls", "--format", "leef2"]
        code, _, err = run(capsys, *argv, "--once")
        assert code == 1 and "SSL" in err  # the self-signed certificate is not trusted by default
        code, _, err = run(capsys, *argv, "--ca-file", str(ca_file), "--once")
        assert code == 0, err
        wait_until(lambda: len(collector.messages) >= 4, what="messages over TLS")
    finally:
        collector.stop()
    assert [m.message[1:].split("|")[4] for m in collector.messages][:2] == ["query", "query"]


def test_one_shipper_per_spool(tmp_path: Path) -> None:
    identity = {"target": "hec", "format": "splunk-hec"}
    with Spool(tmp_path / "s", identity), pytest.raises(BadInput, match="Another shipper"):
        Spool(tmp_path / "s", identity).__enter__()
    with pytest.raises(BadInput, match="pass another --spool"):
        Spool(tmp_path / "s", {"target": "syslog", "format": "cef"}).__enter__()


def test_delivery_failure_is_typed() -> None:
    client = HecClient("http://127.0.0.1:9/services/collector/event", TOKEN, timeout=2)
    with pytest.raises(DeliveryFailed) as failure:
        client.deliver(["{}"])
    assert failure.value.retry and TOKEN not in failure.value.message


SHIP_USAGE = [
    (["ledger", "ship", "--to", "kafka", "x"], "--to takes"),
    (["ledger", "ship", "--to", "splunk-hec", "http://127.0.0.1:9"], "--token-file"),
    (["ledger", "ship", "--to", "syslog", "nohostport", "--once"], "HOST:PORT"),
    (["ledger", "ship", "--to", "syslog", "127.0.0.1:514", "--format", "splunk-hec"], "line format"),
]


@pytest.mark.parametrize(("argv", "message"), SHIP_USAGE)
def test_ship_usage_errors(
    argv: list[str], message: str, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 1 and message in err and err.count("\n") == 1
