"""Signed checkpoints travel with the evidence: in every export format, in shipped streams, in
audit answers and in archives, placed and chosen so a receiver can prove nothing is missing.

The receiver's checks here are written from the specifications (docs/ledger.md canonical bytes,
RFC 6962 Merkle tree, C2SP signed note with Ed25519), not with the workbench's own verifier.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.siem.cli import run
from tests.siem.parsers import parse_cef, parse_leef
from tests.siem.receivers import TOKEN, HecReceiver
from tests.siem.sample import ledger_with
from workbench import audit
from workbench.ledger import Ledger, LedgerEvent
from workbench.ledger.canonical import entry_bytes, entry_hash
from workbench.ledger.verify import COLUMNS
from workbench.retention import archive, verify_archive
from workbench.settings import Settings
from workbench.siem.checkpoints import checkpoint_records, trusted_keys
from workbench.siem.formats import FORMAT_NAMES

BEFORE_ENTRY_8 = "2026-12-03T14:05:01.0065Z"  # the test clock records entry n at 14:05:01 + (n-1) ms


def query(n: int) -> LedgerEvent:
    return LedgerEvent("ana", "researcher", "research", "query", "ok", {"n": n, "tables": ["patients"]})


@pytest.fixture
def anchored(settings: Settings) -> Ledger:
    """Nine entries; signed checkpoints at sizes 5 and 8; entry 9 not yet covered."""
    ledger, _ = ledger_with(settings.ledger_path, [query(n) for n in range(1, 6)])
    audit.ledger(settings).checkpoint()
    for n in range(6, 9):
        ledger.append(query(n))
    audit.ledger(settings).checkpoint()
    ledger.append(query(9))
    return ledger


# -- a receiver's checks, from the specifications ---------------------------------------------------


def canonical(entry: dict[str, object]) -> bytes:
    fields = {key: entry[key] for key in ("seq", "ts", "actor", "role", "purpose", "action", "outcome")}
    obj = {"v": 1, **fields, "detail": entry["detail"], "prev_hash": entry["prev_hash"]}
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def merkle_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 MTH."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + merkle_root(leaves[:k]) + merkle_root(leaves[k:])).digest()


def note_signed_by(note: str, vkey: str) -> bool:
    """C2SP signed note, Ed25519: vkey NAME+ID+base64(0x01 ‖ key); signature line '— NAME base64(id ‖ sig)'."""
    name, key_id, key = vkey.strip().split("+", 2)
    public = base64.b64decode(key)[1:]
    text, _, signatures = note.rpartition("\n\n")
    for line in signatures.splitlines():
        signer, blob = line.removeprefix("\u2014 ").split(" ")
        raw = base64.b64decode(blob)
        if signer == name and raw[:4].hex() == key_id:
            try:
                Ed25519PublicKey.from_public_bytes(public).verify(raw[4:], (text + "\n").encode())
                return True
            except InvalidSignature:
                return False
    return False


def receiver_checks(lines: list[dict[str, object]], vkey: str) -> list[int]:
    """Check every checkpoint in a json export against the entries before it; the sizes proven."""
    entries: dict[int, dict[str, object]] = {}
    proven = []
    previous = "0" * 64
    for item in lines:
        if item["kind"] == "entry":
            assert (
                item["prev_hash"] == previous and hashlib.sha256(canonical(item)).hexdigest() == item["hash"]
            )
            previous = str(item["hash"])
            entries[int(str(item["seq"]))] = item
        else:
            size = int(str(item["size"]))
            leaves = [
                hashlib.sha256(b"\x00" + canonical(entries[seq])).digest() for seq in range(1, size + 1)
            ]
            assert base64.b64encode(merkle_root(leaves)).decode() == item["root_hash"]
            assert note_signed_by(str(item["note"]), vkey)
            proven.append(size)
    return proven


def vkey_of(settings: Settings) -> str:
    (path,) = settings.ledger_verifier_dir.glob("*.vkey")
    return path.read_text()


# -- the tests ----------------------------------------------------------------------------------------


def test_checkpoints_are_read_from_the_witness(anchored: Ledger, settings: Settings) -> None:
    records = checkpoint_records(settings)
    assert [record.size for record in records] == [5, 8]
    keys = trusted_keys(settings)
    assert all(record.signed_by(keys) for record in records)
    assert all(record.timestamp.endswith("+00:00") for record in records)


def test_a_receiver_can_prove_the_export_complete(
    anchored: Ledger, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "ledger", "export", "--format", "json")
    assert code == 0
    items = [json.loads(line) for line in out.splitlines()]
    labels = [f"e{i['seq']}" if i["kind"] == "entry" else f"c{i['size']}" for i in items]
    assert labels == ["e1", "e2", "e3", "e4", "e5", "c5", "e6", "e7", "e8", "c8", "e9"]
    assert receiver_checks(items, vkey_of(settings)) == [5, 8]


def test_a_range_carries_the_checkpoints_around_it(
    anchored: Ledger, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["ledger", "export", "--format", "json", "--since", "2026-12-03T14:05:01.005Z"]
    code, out, _ = run(capsys, *argv, "--until", "2026-12-03T09:05:01.007-05:00")
    assert code == 0
    items = [json.loads(line) for line in out.splitlines()]
    labels = [f"e{i['seq']}" if i["kind"] == "entry" else f"c{i['size']}" for i in items]
    assert labels == ["c5", "e6", "e7", "c8"]  # the anchor before, and the checkpoint covering the end


@pytest.mark.parametrize("form", FORMAT_NAMES)
def test_every_format_carries_the_checkpoints(
    form: str, anchored: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "ledger", "export", "--format", form)
    assert code == 0
    lines = out.splitlines()
    if form == "cef":
        marks = [parse_cef(line).signature == "checkpoint" for line in lines]
    elif form in ("leef", "leef2"):
        marks = [parse_leef(line).event_id == "checkpoint" for line in lines]
    else:
        markers = ('"kind":"checkpoint"', '"action":"checkpoint"', '"event_code":"checkpoint"')
        marks = [any(marker in line for marker in markers) for line in lines]
    assert [i for i, mark in enumerate(marks) if mark] == [5, 9]


def test_audit_answers_name_the_checkpoint_and_catch_a_rewritten_chain(
    anchored: Ledger, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "ledger", "query", "--who", "ana", "--json")
    answer = json.loads(out)
    assert code == 0 and answer["coverage"]["complete"] is True
    assert answer["coverage"]["checkpoint"]["size"] == 8 and answer["matched"] == 9
    # An intruder renames the actor of entry 3 and recomputes every hash after it: the chain alone
    # is consistent again, but it no longer reproduces the signed checkpoints.
    with sqlite3.connect(settings.ledger_path) as db:
        previous = "0" * 64
        for row in db.execute(f"SELECT {COLUMNS} FROM entries ORDER BY seq").fetchall():
            seq, ts, actor, role, purpose, action, outcome, detail, _, _ = row
            actor = "mallory" if seq == 3 else actor
            fields = dict(ts=ts, actor=actor, role=role, purpose=purpose, action=action, outcome=outcome)
            digest = entry_hash(entry_bytes(seq=seq, **fields, detail_text=detail, prev_hash=previous))
            db.execute(
                "UPDATE entries SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                (actor, previous, digest, seq),
            )
            previous = digest
    db.close()
    code, out, _ = run(capsys, "ledger", "query", "--who", "mallory")
    assert code == 3 and "LEDGER INTEGRITY FAILURE" in out and "1 of " in out


def test_shipped_streams_carry_the_checkpoints(
    anchored: Ledger, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = tmp_path / "token"
    token.write_text(TOKEN)
    hec = HecReceiver().start()
    try:
        argv = ["ledger", "ship", "--to", "splunk-hec", hec.url, "--token-file", str(token), "--once"]
        code, _, err = run(capsys, *argv)
        assert code == 0, err
    finally:
        hec.stop()
    items = [event["event"] for event in hec.events]
    labels = [f"e{i['seq']}" if i["kind"] == "entry" else f"c{i['size']}" for i in items]
    assert labels[:11] == ["e1", "e2", "e3", "e4", "e5", "c5", "e6", "e7", "e8", "c8", "e9"]
    assert receiver_checks(items, vkey_of(settings))[:2] == [5, 8]


def test_archives_end_at_a_checkpoint_and_verify_alone(anchored: Ledger, settings: Settings) -> None:
    from workbench.audit_query import parse_instant

    first = archive(settings, parse_instant(BEFORE_ENTRY_8))  # entries 1..7 are older; cut back to 5
    assert first.path is not None and (first.first_seq, first.last_seq, first.checkpoints) == (1, 5, 1)
    check = verify_archive(first.path)
    assert check.ok and check.signers == tuple(key.key_id.hex() for key in trusted_keys(settings))
    second = archive(settings, parse_instant("2027-01-01T00:00:00Z"))  # 6..9 and later, cut back to 8
    assert second.path is not None and (second.first_seq, second.last_seq) == (6, 8)
    header = json.loads(second.path.read_text().split("\n")[0])
    assert (
        header["frontier_before"]["size"] == 5
        and header["anchor_prev_hash"] == json.loads(first.path.read_text().split("\n")[0])["last_hash"]
    )
    assert verify_archive(second.path).ok  # root at size 8 from the frontier of 1..5 plus 6..8


def test_a_forged_checkpoint_in_an_archive_is_found(anchored: Ledger, settings: Settings) -> None:
    from workbench.audit_query import parse_instant

    report = archive(settings, parse_instant(BEFORE_ENTRY_8))
    assert report.path is not None
    lines = report.path.read_text().split("\n")
    item = json.loads(lines[-2])
    root = item["checkpoint"]["root_hash"]
    forged = base64.b64encode(bytes(32)).decode()
    item["checkpoint"]["root_hash"] = forged
    item["checkpoint"]["note"] = item["checkpoint"]["note"].replace(root, forged)
    lines[-2] = json.dumps(item)
    report.path.write_text("\n".join(lines))
    check = verify_archive(report.path)
    assert not check.ok and "signature" in (check.problem or "")


def _strip_and_recompute(path: Path) -> None:
    """The attack: edit entry 2, recompute every hash and link, drop the checkpoints."""
    lines = [line for line in path.read_text().split("\n") if line]
    header = json.loads(lines[0])
    previous = header["anchor_prev_hash"]
    out = []
    for text in lines[1:]:
        item = json.loads(text)
        if item["kind"] != "entry":
            continue
        row = item["row"]
        if row[0] == 2:
            row[2] = "mallory"
        row[8] = previous
        fields = dict(zip(COLUMNS.split(", "), row, strict=True))
        data = entry_bytes(
            **{k: fields[k] for k in ("seq", "ts", "actor", "role", "purpose", "action", "outcome")},
            detail_text=fields["detail"],
            prev_hash=previous,
        )
        row[9] = previous = entry_hash(data)
        out.append(json.dumps(item))
    header["last_hash"] = previous
    path.write_text("\n".join([json.dumps(header), *out]) + "\n")


ARCHIVE_TRUST = [
    # (tamper, options, exit code, words in the output)
    (False, [], 0, ["signer key ids: {kid}", "came from the archive itself", "recorded this file's SHA-256"]),
    (False, ["--keyring", "{keys}"], 0, ["signer key ids: {kid}", "key(s) you gave"]),
    (False, ["--trusted-key", "{vkey}"], 0, ["signer key ids: {kid}", "key(s) you gave"]),
    (False, ["--trusted-key", "{foreign}"], 3, ["no valid signature by a known key"]),
    (True, [], 3, ["the live ledger's entry", "not this file's"]),  # the recorded SHA-256 differs
    (True, ["--allow-unsigned"], 3, ["not this file's"]),
]


@pytest.mark.parametrize(("tamper", "options", "code", "words"), ARCHIVE_TRUST)
def test_archive_verify_trusts_the_auditors_keys_and_needs_a_signature(
    tamper: bool,
    options: list[str],
    code: int,
    words: list[str],
    anchored: Ledger,
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from workbench.audit_query import parse_instant
    from workbench.ledger.checkpoint import NoteSigner

    report = archive(settings, parse_instant(BEFORE_ENTRY_8))
    assert report.path is not None
    (key,) = trusted_keys(settings)
    foreign = tmp_path / "foreign.vkey"
    foreign.write_text(NoteSigner.generate(key.name).verifier().vkey())
    (vkey,) = settings.ledger_verifier_dir.glob("*.vkey")
    names = {"kid": key.key_id.hex(), "keys": str(settings.ledger_verifier_dir), "vkey": str(vkey)}
    names["foreign"] = str(foreign)
    if tamper:
        _strip_and_recompute(report.path)
        alone = verify_archive(report.path)
        assert alone.ok and not alone.covered  # the chain alone is consistent: not enough
    argv = ["ledger", "archive", "--verify", str(report.path), *(o.format(**names) for o in options)]
    rc, out, err = run(capsys, *argv)
    assert rc == code, err
    text = out if code == 0 else err
    for word in words:
        assert word.format(**names) in text
    if code:
        assert err.count("\n") == 1


def test_an_unsigned_archive_outside_the_workspace_needs_allow_unsigned(
    anchored: Ledger,
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from workbench.audit_query import parse_instant

    report = archive(settings, parse_instant(BEFORE_ENTRY_8))
    assert report.path is not None
    _strip_and_recompute(report.path)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "auditor"))  # no live ledger to compare with
    rc, _, err = run(capsys, "ledger", "archive", "--verify", str(report.path))
    assert rc == 3 and "no signed checkpoint covers entry 5" in err
    rc, out, err = run(
        capsys, "ledger", "archive", "--verify", str(report.path), "--allow-unsigned", "--json"
    )
    result = json.loads(out)
    assert rc == 0 and result["covered"] is False and result["live"] is None and "warning" in err
