"""`workbench ledger prove` and `consistency`, checked by the auditor's procedures in docs/ledger.md."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ledger.test_doc import doc_block
from workbench import audit
from workbench.cli.main import main
from workbench.ledger.merkle import leaf_hash, root_from_inclusion, verify_consistency
from workbench.settings import Settings


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def workspace(settings: Settings) -> Settings:
    """A workspace whose ledger has 13 entries and a checkpoint of size 9."""
    for n in range(9):
        audit.record(settings, "query", "ok", {"n": n, "who": "José|ana"})
    audit.ledger(settings).checkpoint()
    for n in range(9, 13):
        audit.record(settings, "query", "ok", {"n": n})
    return settings


@pytest.fixture
def verify_inclusion() -> Callable[[str], int]:
    namespace: dict[str, object] = {}
    exec(doc_block("### Checking an inclusion proof yourself", "python"), namespace)
    return namespace["verify_inclusion"]  # type: ignore[return-value]


@pytest.fixture
def verify_consistency_doc() -> Callable[[str], tuple[int, int]]:
    namespace: dict[str, object] = {}
    exec(doc_block("### Checking a consistency proof yourself", "python"), namespace)
    return namespace["verify_consistency"]  # type: ignore[return-value]


def prove(capsys: pytest.CaptureFixture[str], tmp_path: Path, seq: int) -> Path:
    code, out, _ = run(capsys, "ledger", "prove", str(seq), "--json")
    assert code == 0
    path = tmp_path / f"proof-{seq}.json"
    path.write_text(out, encoding="utf-8")
    return path


@pytest.mark.parametrize("seq", [1, 4, 9])
def test_inclusion_proof_against_the_newest_checkpoint(
    workspace: Settings,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    seq: int,
    verify_inclusion: Callable[[str], int],
) -> None:
    path = prove(capsys, tmp_path, seq)
    data = json.loads(path.read_text())
    assert (data["seq"], data["leaf_index"], data["tree_size"]) == (seq, seq - 1, 9)
    entry = data["entry"].encode()
    assert json.loads(entry)["seq"] == seq and leaf_hash(entry).hex() == data["leaf_hash"]
    proof = [bytes.fromhex(node) for node in data["proof"]]
    assert root_from_inclusion(seq - 1, 9, leaf_hash(entry), proof).hex() == data["root"]
    assert verify_inclusion(str(path)) == seq  # the 30-line script in docs/ledger.md


def test_the_documented_script_rejects_a_doctored_proof(
    workspace: Settings,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    verify_inclusion: Callable[[str], int],
) -> None:
    data = json.loads(prove(capsys, tmp_path, 4).read_text())
    doctored = [
        {**data, "entry": data["entry"].replace('"n":3', '"n":33')},  # another entry's content
        {**data, "proof": data["proof"][::-1]},
        {**data, "proof": data["proof"][:-1]},
        {**data, "seq": 5},
    ]
    for n, variant in enumerate(doctored):
        path = tmp_path / f"doctored-{n}.json"
        path.write_text(json.dumps(variant))
        with pytest.raises(ValueError):
            verify_inclusion(str(path))


TOOLS = ("sh", "jq", "xxd", "sha256sum", "openssl", "base64")


@pytest.mark.skipif(not all(shutil.which(tool) for tool in TOOLS), reason=f"needs {', '.join(TOOLS)}")
def test_the_documented_shell_steps(
    workspace: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    script = tmp_path / "check-inclusion.sh"
    script.write_text(doc_block("The same with `sha256sum`", "sh"))
    path = prove(capsys, tmp_path, 7)
    done = subprocess.run(
        ["sh", str(script), str(path)], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert (
        "entry 7 is in the checkpoint's tree" in done.stdout
        and "Signature Verified Successfully" in done.stdout
    )
    data = json.loads(path.read_text())
    note = data["checkpoint"].replace("\n9\n", "\n10\n")
    path.write_text(json.dumps({**data, "checkpoint": note}))  # a checkpoint that was not signed
    done = subprocess.run(
        ["sh", str(script), str(path)], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0


def test_an_entry_newer_than_the_checkpoint_gets_one(
    workspace: Settings,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    verify_inclusion: Callable[[str], int],
) -> None:
    path = prove(capsys, tmp_path, 12)
    assert json.loads(path.read_text())["tree_size"] == 13 and verify_inclusion(str(path)) == 12


def test_proofs_are_recorded(workspace: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prove(capsys, tmp_path, 2)
    last = audit.ledger(workspace).last()
    assert last is not None and (last.action, last.detail) == ("ledger_read", {"command": "prove", "seq": 2})


@pytest.mark.parametrize("old", [1, 4, 8, 9])
def test_consistency_proof(
    workspace: Settings,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    old: int,
    verify_consistency_doc: Callable[[str], tuple[int, int]],
) -> None:
    run(capsys, "ledger", "checkpoint")  # newest checkpoint: 13
    code, out, _ = run(capsys, "ledger", "consistency", str(old), "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["old_size"], data["new_size"]) == (old, 13)
    assert (data["old_checkpoint"] is not None) == (old == 9)  # only size 9 was witnessed before
    proof = [bytes.fromhex(node) for node in data["proof"]]
    assert verify_consistency(
        old, 13, bytes.fromhex(data["old_root"]), bytes.fromhex(data["new_root"]), proof
    )
    path = tmp_path / "consistency.json"
    path.write_text(out)
    assert verify_consistency_doc(str(path)) == (old, 13)
    path.write_text(json.dumps({**data, "proof": data["proof"][1:] or ["00" * 32]}))
    with pytest.raises(ValueError):
        verify_consistency_doc(str(path))


def test_consistency_with_the_newest_size_itself(
    workspace: Settings,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    verify_consistency_doc: Callable[[str], tuple[int, int]],
) -> None:
    code, out, _ = run(capsys, "ledger", "consistency", "9", "--json")
    assert code == 0 and json.loads(out)["proof"] == []
    path = tmp_path / "same.json"
    path.write_text(out)
    assert verify_consistency_doc(str(path)) == (9, 9)


def test_a_proof_over_a_tampered_entry_is_an_integrity_failure(
    workspace: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(workspace.ledger_path) as db:
        db.execute("UPDATE entries SET actor = 'mallory' WHERE seq = 4")
    code, _, err = run(capsys, "ledger", "prove", "4")
    assert code == 3 and "edit at sequence 4" in err


@pytest.mark.parametrize(
    ("argv", "code"), [(["prove", "0"], 1), (["prove", "99"], 1), (["consistency", "99"], 1)]
)
def test_bad_arguments(
    workspace: Settings, capsys: pytest.CaptureFixture[str], argv: list[str], code: int
) -> None:
    assert run(capsys, "ledger", *argv)[0] == code


def test_human_readable_output(workspace: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ledger", "prove", "3")
    assert code == 0 and "Entry 3 is leaf 2 of the tree of 9 entries." in out and "docs/ledger.md" in out
    code, out, _ = run(capsys, "ledger", "consistency", "4")
    assert code == 0 and "extends the tree of 4" in out
