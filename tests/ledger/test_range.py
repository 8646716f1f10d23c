"""Verifying a time range against the checkpoints at its edges, without replaying the whole ledger."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.ledger.sample import Witnessed, kind_of, raw_sqlite
from tests.ledger.test_checkpoints import rebuild_tree, rechain


@pytest.fixture
def book(tmp_path: Path) -> Witnessed:
    """30 entries one millisecond apart, checkpoints at 10, 20 and 30."""
    book = Witnessed(tmp_path)
    for _ in range(3):
        book.append(10)
        book.checkpoint()
    return book


def bounds(book: Witnessed, first: int, last: int) -> tuple[int, int | None]:
    entries = {entry.seq: entry.ts for entry in book.ledger.entries()}
    return book.ledger.seq_range(
        datetime.fromisoformat(entries[first]), datetime.fromisoformat(entries[last])
    )


def test_time_bounds_find_the_seqs(book: Witnessed) -> None:
    assert bounds(book, 12, 18) == (12, 18)
    assert book.ledger.seq_range(None, None) == (1, None)
    assert book.ledger.seq_range(datetime.fromisoformat("2030-01-01T00:00:00+00:00"), None) == (31, None)


def test_a_range_recomputes_from_checkpoint_to_checkpoint(book: Witnessed) -> None:
    report = book.verify(first_seq=12, last_seq=18)
    assert report["ok"] is True and report["checked"] == {"from_seq": 11, "to_seq": 20}
    assert report["checkpoint"]["size"] == 20  # type: ignore[index]


def test_a_range_to_the_end(book: Witnessed) -> None:
    book.append(3)
    report = book.verify(first_seq=25)
    assert report["ok"] is True and report["checked"] == {"from_seq": 21, "to_seq": 33}


# (name, SQL, range, expected (first_bad_seq, kind) or None for ok)
CASES = [
    ("edit inside", "UPDATE entries SET actor = 'x' WHERE seq = 15", (12, 18), (15, "edit")),
    (
        "edit between the range and its right checkpoint",
        "UPDATE entries SET actor = 'x' WHERE seq = 19",
        (12, 18),
        (19, "edit"),
    ),
    ("edit after the range's checkpoints", "UPDATE entries SET actor = 'x' WHERE seq = 25", (12, 18), None),
    ("edit before the left checkpoint", "UPDATE entries SET actor = 'x' WHERE seq = 5", (12, 18), None),
    ("delete inside", "DELETE FROM entries WHERE seq = 13", (12, 18), (13, "deletion")),
    ("truncate past the range end", "DELETE FROM entries WHERE seq > 27", (22, None), (28, "truncation")),
]


@pytest.mark.parametrize(("name", "sql", "span", "expected"), CASES, ids=[row[0] for row in CASES])
def test_tampering_inside_and_outside_a_range(
    book: Witnessed, name: str, sql: str, span: tuple[int, int | None], expected: tuple[int, str] | None
) -> None:
    with raw_sqlite(book.path) as db:
        db.execute(sql)
    report = book.verify(first_seq=span[0], last_seq=span[1])
    if expected is None:
        assert report["ok"] is True
    else:
        assert kind_of(report) == expected


def test_a_rewrite_inside_a_range_is_caught_at_its_right_checkpoint(book: Witnessed) -> None:
    rechain(book.path, 15)
    assert kind_of(book.verify(first_seq=12, last_seq=18)) == (15, "rewrite")
    rebuild_tree(book.path)  # the stored tree no longer pins the entry: the first after the left checkpoint
    assert kind_of(book.verify(first_seq=12, last_seq=18)) == (11, "rewrite")


def test_a_damaged_tree_below_the_range_falls_back_to_full_verification(book: Witnessed) -> None:
    with raw_sqlite(book.path) as db:
        db.execute("UPDATE tree SET hash = zeroblob(32) WHERE pos = 14")  # the subtree over leaves 0..7
    report = book.verify(first_seq=12, last_seq=18)
    assert report["ok"] is True and "checked" not in report  # entries are intact; all of them were checked
