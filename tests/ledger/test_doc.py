"""docs/ledger.md is executable: its recompute code and its test vector agree with the ledger."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ledger.sample import FilledLedger, raw_sqlite
from workbench.ledger import GENESIS_PREV_HASH, Ledger, LedgerEvent
from workbench.ledger.canonical import detail_json, entry_bytes, entry_hash

DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger.md"


def doc_block(after: str, language: str) -> str:
    """The first fenced block of `language` that follows the text `after` in docs/ledger.md."""
    text = DOC.read_text(encoding="utf-8")
    found = re.search(re.escape(after) + r".*?```" + language + r"\n(.*?)```", text, re.DOTALL)
    assert found, f"no {language} block after {after!r} in {DOC}"
    return found.group(1)


@pytest.fixture
def recompute() -> Callable[[str], int]:
    namespace: dict[str, object] = {}
    exec(doc_block("### Recomputing the chain yourself", "python"), namespace)
    return namespace["recompute"]  # type: ignore[return-value]


def test_documented_recompute_accepts_a_real_ledger(tmp_path: Path, recompute: Callable[[str], int]) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    for actor in ("ana", "José|b\\c=d", "李雷", "os:root"):
        ledger.append(LedgerEvent(actor, "", "", "login", "ok", {"kinds": ["SSN"], "rows": 0, "x": None}))
    assert recompute(str(ledger.path)) == 4


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("UPDATE entries SET actor = 'mallory' WHERE seq = 2", "entry 2 does not match its hash"),
        ("DELETE FROM entries WHERE seq = 2", "entry 2 is missing"),
    ],
)
def test_documented_recompute_rejects_tampering(
    filled_ledger: FilledLedger, recompute: Callable[[str], int], statement: str, message: str
) -> None:
    ledger, _ = filled_ledger(3)
    with raw_sqlite(ledger.path) as db:
        db.execute(statement)
    with pytest.raises(ValueError, match=message):
        recompute(str(ledger.path))


def test_documented_test_vector() -> None:
    detail = {
        "tables": ["patients"],
        "columns": {"patients.ssn": "mask", "patients.birthdate": "generalize"},
        "rows": 27,
        "sql_hash": "h_9f2c4e1a0b7d3365",
    }
    canonical = entry_bytes(
        seq=1,
        ts="2026-12-03T14:05:01.123456+00:00",
        actor="José|ana",
        role="researcher",
        purpose="research",
        action="query",
        outcome="ok",
        detail_text=detail_json(detail),
        prev_hash=GENESIS_PREV_HASH,
    )
    assert canonical == doc_block("<!-- test-vector:bytes -->", "text").strip().encode("utf-8")
    assert entry_hash(canonical) == doc_block("<!-- test-vector:hash -->", "text").strip()
