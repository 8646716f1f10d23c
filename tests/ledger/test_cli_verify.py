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


# -- a failed verification leaves the damaged ledger as it found it ---------------------------------


def workbench_process(*argv: str) -> subprocess.CompletedProcess[str]:
    """`workbench ARGV` in a new process (WORKBENCH_HOME comes from the test's environment)."""
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli.main", *argv],
        capture_output=True, text=True, cwd=REPO, timeout=120, check=False,
    )  # fmt: skip


def stored_state(settings: Settings) -> tuple[list[tuple[object, ...]], int, str]:
    """Every stored row, the tree size and the witness text: what a verify must leave unchanged."""
    with closing(sqlite3.connect(settings.ledger_path)) as db:
        rows = db.execute("SELECT * FROM entries ORDER BY seq").fetchall()
        tree_rows = db.execute("SELECT count(*) FROM tree").fetchone()[0]
    return rows, tree_rows, settings.witness_path.joinpath("checkpoints").read_text()


def rolled_back(settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Six checkpointed entries, then the file put back to its copy after entry 3."""
    fill(settings, 3)
    run(capsys, "ledger", "checkpoint")
    copy = tmp_path / "ledger-copy.sqlite"
    with closing(sqlite3.connect(settings.ledger_path)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    fill(settings, 3)
    run(capsys, "ledger", "checkpoint")
    audit.ledger(settings).close()
    for suffix in ("-wal", "-shm"):
        Path(f"{settings.ledger_path}{suffix}").unlink(missing_ok=True)
    os.replace(copy, settings.ledger_path)


def test_repeated_verifies_after_a_rollback_name_the_same_finding_and_write_nothing(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rolled_back(settings, capsys, tmp_path)
    before = stored_state(settings)
    for _ in range(3):
        done = workbench_process("ledger", "verify")
        assert done.returncode == 3 and done.stdout == ""
        assert done.stderr.splitlines() == [
            "Ledger integrity failure: rollback at sequence 4. "
            "Preserve the workspace and report it to your privacy officer."
        ]
        assert stored_state(settings) == before
    done = workbench_process("ledger", "verify", "--json")
    assert done.returncode == 3 and json.loads(done.stdout) == {
        "ok": False, "entries": 3, "first_bad_seq": 4, "kind": "rollback",
    }  # fmt: skip
    assert stored_state(settings) == before


def test_repeated_verifies_after_a_truncation_in_process(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(settings, 6)
    run(capsys, "ledger", "checkpoint")
    with sqlite3.connect(settings.ledger_path) as db:
        db.execute("DELETE FROM entries WHERE seq > 4")
    before = stored_state(settings)
    reports = [verify_json(capsys) for _ in range(3)]
    assert reports == [(3, {"ok": False, "entries": 4, "first_bad_seq": 5, "kind": "truncation"})] * 3
    assert stored_state(settings) == before


def test_a_passing_verify_is_still_recorded(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    fill(settings, 2)
    assert verify_json(capsys)[0] == 0
    last = audit.ledger(settings).last()
    assert last is not None and (last.seq, last.action, last.outcome) == (3, "verify", "ok")


# -- the signer refuses a damaged ledger with the tamper exit code --------------------------------


def test_the_signer_refusing_a_rolled_back_ledger_exits_3_naming_kind_and_seq(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rolled_back(settings, capsys, tmp_path)
    before = stored_state(settings)
    done = workbench_process("ledger", "checkpoint")
    assert done.returncode == 3 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "workbench: No checkpoint written: Ledger integrity failure: rollback at sequence 4. "
        "Preserve the workspace and report it to your privacy officer."
    ]
    assert stored_state(settings) == before  # no checkpoint was added to the witness


def test_the_signer_refusing_a_rewritten_ledger_exits_3(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(settings, 5)
    run(capsys, "ledger", "checkpoint")
    audit.ledger(settings).close()
    rechain(settings.ledger_path, 2)
    rebuild_tree(settings.ledger_path)
    code, _, err = run(capsys, "ledger", "checkpoint")
    assert (
        code == 3 and err.count("\n") == 1 and "rewrite at sequence 1" in err
    )  # tree rebuilt too: from the first entry


# -- schema objects added to the file -----------------------------------------------------------


def test_a_trigger_in_the_ledger_file_is_named_by_verify_and_stops_every_append(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(settings, 3)
    run(capsys, "ledger", "checkpoint")
    audit.ledger(settings).close()
    with sqlite3.connect(settings.ledger_path) as db:
        db.execute(
            "CREATE TRIGGER relabel AFTER INSERT ON entries "
            "BEGIN UPDATE entries SET actor = 'someone-else' WHERE seq = NEW.seq; END"
        )
    before = stored_state(settings)
    for _ in range(2):
        done = workbench_process("ledger", "verify")
        assert done.returncode == 3
        assert "Ledger integrity failure: schema (1 unexpected trigger)." in done.stderr
    done = workbench_process("ledger", "verify", "--json")
    assert done.returncode == 3 and json.loads(done.stdout)["kind"] == "schema"
    login = workbench_process("login", "--user", "ana", "--role", "researcher")
    assert login.returncode == 3 and "schema (1 unexpected trigger)" in login.stderr
    assert workbench_process("ledger", "checkpoint").returncode == 3
    assert stored_state(settings) == before


# -- an attacker's huge seq ---------------------------------------------------------------------

HUGE_SEQ = 9_000_000_000_000_000

# (name, statements, finding): each with a row at seq 9e15; verify must answer at once.
HUGE_SEQ_CASES = [
    (
        "a copy of an entry stored at 9e15",
        [f"INSERT INTO entries SELECT {HUGE_SEQ}, ts, actor, role, purpose, action, outcome, detail, "
         "'x', hash FROM entries WHERE seq = 2"],
        "deletion at sequence 7",
    ),
    (
        "and an edited entry before it (the reorder search must not count to 9e15)",
        [f"INSERT INTO entries SELECT {HUGE_SEQ}, ts, actor, role, purpose, action, outcome, detail, "
         "'x', hash FROM entries WHERE seq = 2",
         "UPDATE entries SET actor = 'mallory' WHERE seq = 4"],
        "edit at sequence 4",
    ),
    (
        "the last entry renumbered to 9e15",
        [f"UPDATE entries SET seq = {HUGE_SEQ} WHERE seq = 6"],
        "edit at sequence 6",  # its seq was changed (docs/ledger.md, the rules)
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "statements", "finding"), HUGE_SEQ_CASES, ids=[row[0] for row in HUGE_SEQ_CASES]
)
def test_a_huge_seq_fails_fast_with_a_finding(
    settings: Settings, capsys: pytest.CaptureFixture[str], name: str, statements: list[str], finding: str
) -> None:
    fill(settings, 6)
    run(capsys, "ledger", "checkpoint")
    audit.ledger(settings).close()
    with sqlite3.connect(settings.ledger_path) as db:
        for statement in statements:
            db.execute(statement)
    for _ in range(2):  # timeout=120 in workbench_process: a hang fails the test instead of the run
        done = workbench_process("ledger", "verify")
        assert done.returncode == 3 and f"failure: {finding}." in done.stderr


# -- rebuilding a damaged tree ------------------------------------------------------------------


def tree_rows(settings: Settings) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(settings.ledger_path)) as db:
        return db.execute("SELECT pos, hash FROM tree ORDER BY pos").fetchall()


# (name, statement): damage to the tree alone; the entries stay intact.
TREE_DAMAGE = [
    ("a subtree deleted", "DELETE FROM tree WHERE pos = 6"),
    ("a node overwritten", "UPDATE tree SET hash = zeroblob(32) WHERE pos = 6"),
    ("the newest leaves deleted", "DELETE FROM tree WHERE pos >= 7"),
    ("a node that is not a hash", "UPDATE tree SET hash = 'x' WHERE pos = 6"),
]


@pytest.mark.parametrize(("name", "statement"), TREE_DAMAGE, ids=[row[0] for row in TREE_DAMAGE])
def test_rebuild_tree_mends_a_damaged_tree(
    settings: Settings, capsys: pytest.CaptureFixture[str], name: str, statement: str
) -> None:
    fill(settings, 4)
    run(capsys, "ledger", "checkpoint")
    fill(settings, 2)
    intact = tree_rows(settings)
    with sqlite3.connect(settings.ledger_path) as db:
        db.execute(statement)
    code, _, err = run(capsys, "ledger", "checkpoint")
    assert code == 1 and "`workbench ledger rebuild-tree`" in err  # damage, not tampering: exit 1
    code, out, _ = run(capsys, "ledger", "rebuild-tree", "--json")
    report = json.loads(out)
    assert code == 0 and report["rebuilt"] is True and report["checkpoint"]["size"] == 4
    assert tree_rows(settings)[: len(intact)] == intact  # the same tree (plus the rebuild's own entry)
    assert run(capsys, "ledger", "checkpoint")[0] == 0
    assert run(capsys, "ledger", "prove", "2")[0] == 0
    assert verify_json(capsys)[0] == 0


def test_rebuild_tree_refuses_tampered_entries_and_changes_nothing(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rolled_back(settings, capsys, tmp_path)
    with sqlite3.connect(settings.ledger_path) as db:
        db.execute("DELETE FROM tree WHERE pos = 2")
    before, tree_before = stored_state(settings), tree_rows(settings)
    code, _, err = run(capsys, "ledger", "rebuild-tree")
    assert code == 3 and "The tree was not rebuilt" in err and "at sequence 4" in err
    with sqlite3.connect(settings.ledger_path) as db:
        db.execute("UPDATE entries SET actor = 'mallory' WHERE seq = 2")
    code, out, _ = run(capsys, "ledger", "rebuild-tree", "--json")
    assert code == 3 and json.loads(out) == {
        "rebuilt": False, "ok": False, "entries": 3, "first_bad_seq": 2, "kind": "edit",
    }  # fmt: skip
    assert stored_state(settings)[1:] == before[1:] and tree_rows(settings) == tree_before
