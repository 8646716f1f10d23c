"""The stored Merkle tree: the hash of every complete subtree, kept in the ledger file.

    CREATE TABLE tree (level INTEGER, idx INTEGER, hash BLOB, PRIMARY KEY (level, idx))

Row (level, idx) is the root of leaves [idx·2^level, (idx+1)·2^level): level 0 holds one leaf hash
per entry (idx = seq - 1), level 1 a hash per pair, and so on. Complete subtrees never change
as the log grows, so an append adds its leaf plus, on average, one parent (the nodes it
completes), and any subtree [start, end) is O(log n) stored rows away; that makes inclusion and
consistency proofs on a million-entry ledger a few dozen primary-key lookups.

The table is an index, not a trust anchor: anyone who can write the file can write it. Signed
checkpoints (outside the file) are what the stored hashes are checked against, and proofs are
checked against the checkpoint before they are shown.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Final

from workbench.ledger.merkle import Frontier, node_hash, split_point

TREE_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS tree (level INTEGER NOT NULL, idx INTEGER NOT NULL, "
    "hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID"
)

_NODE: Final = "SELECT hash FROM tree WHERE level = ? AND idx = ?"


class TreeDamaged(Exception):
    """A node the tree's size says must be stored is missing or is not a 32-byte hash."""


def completed_nodes(conn: sqlite3.Connection, index: int, leaf: bytes) -> list[tuple[int, int, bytes]]:
    """The rows appending leaf `index` adds: the leaf and every subtree it completes.

    Leaf i completes one subtree per trailing 1-bit of i; each needs its left sibling, read here.
    """
    rows = [(0, index, leaf)]
    digest, level, at = leaf, 0, index
    while at & 1:
        digest = node_hash(_node(conn, level, at - 1), digest)
        level, at = level + 1, at >> 1
        rows.append((level, at, digest))
    return rows


def store(conn: sqlite3.Connection, rows: Iterable[tuple[int, int, bytes]]) -> None:
    """Insert node rows (inside the caller's transaction); a duplicate raises IntegrityError."""
    conn.executemany("INSERT INTO tree (level, idx, hash) VALUES (?, ?, ?)", rows)


def all_nodes(leaves: Sequence[bytes], first_index: int = 0) -> Iterator[tuple[int, int, bytes]]:
    """Every node row for `leaves` appended from `first_index` on (first_index must be 0 or aligned)."""
    level, row, start = 0, list(leaves), first_index
    while row:
        yield from ((level, start + i, digest) for i, digest in enumerate(row))
        if start & 1:  # the first node's sibling is outside this batch
            raise ValueError("batch must start at an aligned index")
        pairs = iter(row[: len(row) // 2 * 2])
        row = [node_hash(left, right) for left, right in zip(pairs, pairs, strict=True)]
        level, start = level + 1, start >> 1


def leaf_count(conn: sqlite3.Connection) -> int:
    """How many leaves the table holds (one past the highest level-0 index)."""
    found = conn.execute("SELECT max(idx) FROM tree WHERE level = 0").fetchone()[0]
    return 0 if found is None else int(found) + 1


def leaf_at(conn: sqlite3.Connection, index: int) -> bytes | None:
    raw = conn.execute(_NODE, (0, index)).fetchone()
    return None if raw is None else bytes(raw[0])


def subtree_reader(conn: sqlite3.Connection) -> SubtreeReader:
    return SubtreeReader(conn)


class SubtreeReader:
    """MTH of any subtree [start, end) of the stored tree, from O(log n) stored nodes (cached)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._cache: dict[tuple[int, int], bytes] = {}

    def __call__(self, start: int, end: int) -> bytes:
        key = (start, end)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        width = end - start
        if width <= 0:
            raise ValueError("empty subtree")
        level = width.bit_length() - 1
        if width == 1 << level and not start & (width - 1):
            digest = _node(self._conn, level, start >> level)
        else:
            k = split_point(width)
            digest = node_hash(self(start, start + k), self(start + k, end))
        self._cache[key] = digest
        return digest

    def frontier(self, size: int) -> Frontier:
        """The complete subtrees on the right edge of the tree of `size` leaves."""
        nodes, start = [], 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                nodes.append(self(start, start + (1 << level)))
                start += 1 << level
        return Frontier(size, nodes)


def _node(conn: sqlite3.Connection, level: int, index: int) -> bytes:
    raw = conn.execute(_NODE, (level, index)).fetchone()
    if raw is None or not isinstance(raw[0], bytes) or len(raw[0]) != 32:
        raise TreeDamaged(f"tree node ({level}, {index})")
    return raw[0]
