"""`workbench ledger verify` as users run it: the witness is the trust anchor, no arguments needed."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.ledger.test_checkpoints import rebuild_tree, rechain
from workbench import audit
from workbench.cli.main import main
from workbench.settings import Settings


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def fill(settings: Settings, count: int) -> None:
    for n in range(count):
        audit.record(settings, "query", "ok", {"n": n})


def verify_json(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, object]]:
    code, out, _ = run(capsys, "ledger", "verify", "--json", *extra)
    return code, json.loads(out)


def test_tail_truncation_is_caught_by_a_plain_verify(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(settings, 6)
    assert run(capsys, "ledger", "checkpoint")[0] == 0
    with sqlite3.connect(settings.ledger_path) as db:
        db.execute("DELETE FROM entries WHERE seq > 4")
    code, out, err = run(capsys, "ledger", "verify")
    assert code == 3 and "truncation at sequence 5" in err and out == ""


def test_rollback_to_an_older_copy_is_caught_by_a_plain_verify(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fill(settings, 3)
    run(capsys, "ledger", "checkpoint")
    copy = tmp_path / "ledger-copy.sqlite"
    with closing(sqlite3.connect(settings.ledger_path)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    fill(settings, 3)
    run(capsys, "ledger", "checkpoint")
    audit.ledger(settings).close()  # as when the kernel is restarted around the restore
    for suffix in ("-wal", "-shm"):
        Path(f"{settings.ledger_path}{suffix}").unlink(missing_ok=True)
    os.replace(copy, settings.ledger_path)
    code, report = verify_json(capsys)
    assert code == 3 and (report["first_bad_seq"], report["kind"]) == (4, "rollback")


def test_verify_json_names_the_checkpoint(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    fill(settings, 5)
    run(capsys, "ledger", "checkpoint", "--json")
    fill(settings, 1)
    code, report = verify_json(capsys)
    assert code == 0 and report["ok"] is True and report["uncovered"] == 1
    assert report["checkpoint"]["size"] == 5  # type: ignore[index]
    code, out, _ = run(capsys, "ledger", "verify")
    assert code == 0 and "Merkle root matches the signed checkpoint of size 5" in out


def test_a_printed_checkpoint_catches_what_the_same_user_can_hide_locally(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Key and witness belong to the database's user: a rewrite re-signed by that user passes a plain
    verify, and only a copy kept elsewhere (here a printed checkpoint) catches it."""
    fill(settings, 8)
    code, printed, _ = run(capsys, "ledger", "checkpoint")
    paper = tmp_path / "printed-checkpoint.txt"
    paper.write_text(printed)
    audit.ledger(settings).close()
    rechain(settings.ledger_path, 3)
    rebuild_tree(settings.ledger_path)
    settings.witness_path.joinpath("checkpoints").unlink()  # the insider also rewrites the witness
    assert run(capsys, "ledger", "checkpoint")[0] == 0  # … and re-signs with the same key
    assert verify_json(capsys)[1]["ok"] is True
    code, report = verify_json(capsys, "--checkpoint", str(paper))
    assert code == 3 and (report["first_bad_seq"], report["kind"]) == (1, "rewrite")


def test_witness_lines_as_checkpoint_file(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fill(settings, 4)
    run(capsys, "ledger", "checkpoint")
    shipped = tmp_path / "from-the-siem.jsonl"
    shipped.write_text(settings.witness_path.joinpath("checkpoints").read_text())
    code, report = verify_json(capsys, "--checkpoint", str(shipped))
    assert code == 0 and report["checkpoint"]["size"] == 4  # type: ignore[index]


def test_time_range_on_the_command_line(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    fill(settings, 4)
    run(capsys, "ledger", "checkpoint")
    fill(settings, 4)
    run(capsys, "ledger", "checkpoint")
    entries = list(audit.ledger(settings).entries())
    code, report = verify_json(capsys, "--since", entries[5].ts, "--until", entries[6].ts)
    assert code == 0 and report["checked"] == {"from_seq": 5, "to_seq": 8}
    code, report = verify_json(capsys, "--since", "2000-01-01", "--until", "2000-01-02")
    assert code == 0
    assert run(capsys, "ledger", "verify", "--since", "yesterday")[0] == 1


def test_a_cli_process_checkpoints_when_it_exits_and_a_fresh_one_catches_truncation(tmp_path: Path) -> None:
    env = {**os.environ, "WORKBENCH_HOME": str(tmp_path / "home")}

    def workbench(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "workbench.cli.main", *argv],
            capture_output=True, text=True, env=env, cwd=REPO, timeout=120, check=False,
        )  # fmt: skip

    for _ in range(3):
        assert workbench("login", "--user", "ana", "--role", "researcher").returncode == 0
    witness = (tmp_path / "home" / "witness" / "checkpoints").read_text().splitlines()
    assert [json.loads(line)["note"].split("\n")[1] for line in witness] == ["1", "2", "3"]
    with sqlite3.connect(tmp_path / "home" / "ledger.sqlite") as db:
        db.execute("DELETE FROM entries WHERE seq = 3")
    done = workbench("ledger", "verify")
    assert done.returncode == 3 and "truncation at sequence 3" in done.stderr
