"""The stored Merkle tree: the hash of every complete subtree, kept in the ledger file.

    CREATE TABLE tree (pos INTEGER PRIMARY KEY, hash BLOB NOT NULL)

A complete subtree is named by (level, idx): it covers leaves [idx·2^level, (idx+1)·2^level),
so level 0 holds the leaves (idx = seq - 1). Rows are keyed by the node's *post-order position*
(the numbering Merkle Mountain Ranges use):

    pos(level, idx) = 2·idx·2^level − popcount(idx) + 2^(level+1) − 2

so appending leaf i stores the leaf and every subtree it completes (one per trailing 1-bit of i)
at consecutive positions: one page of the table per append, and n leaves occupy exactly
2n − popcount(n) rows. Complete subtrees never change as the log grows, so any subtree
[start, end) is O(log n) stored rows away; inclusion and consistency proofs on a million-entry
ledger are a few dozen primary-key lookups.

The table is an index, not a trust anchor: anyone who can write the file can write it. Signed
checkpoints (outside the file) are what the stored hashes are checked against, and proofs are
checked against the checkpoint before they are shown.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Final

from workbench.ledger.merkle import Frontier, node_hash, split_point

TREE_SCHEMA: Final = "CREATE TABLE IF NOT EXISTS tree (pos INTEGER PRIMARY KEY, hash BLOB NOT NULL)"

_NODE: Final = "SELECT hash FROM tree WHERE pos = ?"


class TreeDamaged(Exception):
    """A node the tree's size says must be stored is missing or is not a 32-byte hash."""


def position(level: int, idx: int) -> int:
    """The post-order position of the complete subtree over leaves [idx·2^level, (idx+1)·2^level)."""
    return (idx << (level + 1)) - idx.bit_count() + (2 << level) - 2


def stored_nodes(leaves: int) -> int:
    """How many rows a tree of `leaves` leaves has: 2n − popcount(n)."""
    return 2 * leaves - leaves.bit_count()


def completed_nodes(conn: sqlite3.Connection, index: int, leaf: bytes) -> list[tuple[int, bytes]]:
    """The (pos, hash) rows appending leaf `index` adds: the leaf and every subtree it completes.

    Leaf i completes one subtree per trailing 1-bit of i; each needs its left sibling, read here.
    """
    rows = [(position(0, index), leaf)]
    digest, level, at = leaf, 0, index
    while at & 1:
        digest = node_hash(_node(conn, level, at - 1), digest)
        level, at = level + 1, at >> 1
        rows.append((position(level, at), digest))
    return rows


def store(conn: sqlite3.Connection, rows: Iterable[tuple[int, bytes]]) -> None:
    """Insert node rows (inside the caller's transaction); a duplicate position raises IntegrityError."""
    conn.executemany("INSERT INTO tree (pos, hash) VALUES (?, ?)", rows)


def all_nodes(leaves: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """Every (pos, hash) row of the tree over `leaves`, in position order (for bulk builds)."""
    right_edge: list[bytes] = []
    for index, leaf in enumerate(leaves):
        yield position(0, index), leaf
        digest, level, at = leaf, 0, index
        while at & 1:
            digest = node_hash(right_edge.pop(), digest)
            level, at = level + 1, at >> 1
            yield position(level, at), digest
        right_edge.append(digest)


def leaf_count(conn: sqlite3.Connection) -> int:
    """How many leaves the table holds, from its highest position (TreeDamaged if that is impossible)."""
    top = conn.execute("SELECT max(pos) FROM tree").fetchone()[0]
    if top is None:
        return 0
    rows = int(top) + 1
    leaves = (rows + 1) // 2
    while stored_nodes(leaves) < rows:  # 2n − popcount(n) grows by 1 or more per leaf
        leaves += 1
    if stored_nodes(leaves) != rows:
        raise TreeDamaged("tree rows do not end at a leaf boundary")
    return leaves


def leaf_at(conn: sqlite3.Connection, index: int) -> bytes | None:
    raw = conn.execute(_NODE, (position(0, index),)).fetchone()
    return None if raw is None else bytes(raw[0])


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


def _node(conn: sqlite3.Connection, level: int, idx: int) -> bytes:
    raw = conn.execute(_NODE, (position(level, idx),)).fetchone()
    if raw is None or not isinstance(raw[0], bytes) or len(raw[0]) != 32:
        raise TreeDamaged(f"tree node ({level}, {idx})")
    return raw[0]
