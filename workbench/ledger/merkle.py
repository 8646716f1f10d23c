"""The Merkle tree over ledger entries (RFC 6962 / RFC 9162 §2.1) and its proofs. Pure: no I/O.

Leaves are entries in seq order (leaf index = seq - 1). With SHA-256,

    leaf hash = SHA-256(0x00 ‖ canonical entry bytes)
    node hash = SHA-256(0x01 ‖ left ‖ right)

and the tree over n leaves splits at the largest power of two below n. A *subtree* [start, end)
is any node of that tree; the hashes of complete subtrees never change as the log grows, so the
ledger file stores them (`workbench.ledger.tree`) and proofs read O(log n) of them.

The proof algorithms follow RFC 9162 §2.1.3 (inclusion) and §2.1.4 (consistency) line by line;
docs/ledger.md gives the verification procedure in a form an auditor can run without this code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Final

HASH_SIZE: Final = 32
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()
"""The root of the empty tree (RFC 9162: the hash of the empty string)."""

SubtreeHash = Callable[[int, int], bytes]
"""The hash of the subtree over leaves [start, end), e.g. read from the stored tree."""

_sha256 = hashlib.sha256
_CHUNK_LEVEL: Final = 12  # Frontier.extend hashes aligned runs of up to 4096 leaves at once


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 ‖ entry): the leaf for one entry's canonical bytes."""
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right): an interior node."""
    return _sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n >= 2): where the tree over n leaves splits."""
    return 1 << ((n - 1).bit_length() - 1)


def complete_root(leaves: Sequence[bytes]) -> bytes:
    """The root over a power-of-two number of leaf hashes, computed level by level."""
    level = list(leaves)
    while len(level) > 1:
        pairs = iter(level)
        level = [_sha256(b"\x01" + left + right).digest() for left, right in zip(pairs, pairs, strict=True)]
    return level[0]


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes, straight from the definition (for tests and as the naive baseline)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = split_point(len(leaves))
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))


class Frontier:
    """The right edge of a tree that grows one leaf at a time: its complete subtrees, largest first.

    For size n the subtrees follow the binary digits of n (n = 6: one over 4 leaves, one over 2),
    so a frontier holds at most log2(n) + 1 hashes, and `root()` folds them right to left.
    """

    __slots__ = ("levels", "nodes", "size")

    def __init__(self, size: int = 0, nodes: Iterable[bytes] = ()) -> None:
        self.size = size
        self.nodes = list(nodes)
        self.levels = [bit for bit in range(size.bit_length() - 1, -1, -1) if size >> bit & 1]
        if len(self.levels) != len(self.nodes):
            raise ValueError("a frontier needs one hash per set bit of its size")

    def copy(self) -> Frontier:
        clone = Frontier.__new__(Frontier)
        clone.size, clone.nodes, clone.levels = self.size, self.nodes.copy(), self.levels.copy()
        return clone

    def push(self, leaf: bytes) -> None:
        """Append one leaf hash."""
        self.push_subtree(0, leaf)

    def push_subtree(self, level: int, digest: bytes) -> None:
        """Append a complete subtree over 2**level leaves; the size must be a multiple of 2**level."""
        if self.size & ((1 << level) - 1):
            raise ValueError("a subtree can only be appended at a multiple of its size")
        self.size += 1 << level
        nodes, levels = self.nodes, self.levels
        while levels and levels[-1] == level:
            digest = _sha256(b"\x01" + nodes.pop() + digest).digest()
            levels.pop()
            level += 1
        nodes.append(digest)
        levels.append(level)

    def extend(self, leaves: Sequence[bytes]) -> None:
        """Append leaf hashes; an aligned run of 2**k leaves is hashed level by level (faster)."""
        at, count = 0, len(leaves)
        while at < count:
            level = 0
            while not self.size & ((2 << level) - 1) and at + (2 << level) <= count and level < _CHUNK_LEVEL:
                level += 1
            if level == 0:
                self.push_subtree(0, leaves[at])
            else:
                self.push_subtree(level, complete_root(leaves[at : at + (1 << level)]))
            at += 1 << level

    def root(self) -> bytes:
        """The tree head at the current size."""
        if not self.nodes:
            return EMPTY_ROOT
        digest = self.nodes[-1]
        for left in reversed(self.nodes[:-1]):
            digest = _sha256(b"\x01" + left + digest).digest()
        return digest


def inclusion_proof(index: int, size: int, subtree: SubtreeHash) -> list[bytes]:
    """RFC 9162 PATH(index, D[0:size]): the sibling hashes from the leaf up to the root."""
    if not 0 <= index < size:
        raise ValueError("leaf index outside the tree")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index - start < k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start += k
    path.reverse()  # PATH lists the leaf's sibling first
    return path


def consistency_proof(old_size: int, new_size: int, subtree: SubtreeHash) -> list[bytes]:
    """RFC 9162 PROOF(old_size, D[0:new_size]) for 0 < old_size <= new_size (empty when equal)."""
    if not 0 < old_size <= new_size:
        raise ValueError("a consistency proof needs 0 < old size <= new size")
    proof: list[bytes] = []
    start, end, m, whole = 0, new_size, old_size, True  # SUBPROOF(m, D[start:end], whole)
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            proof.append(subtree(start + k, end))
            end = start + k
        else:
            proof.append(subtree(start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        proof.append(subtree(start, end))
    proof.reverse()
    return proof


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that `proof` leads to from `leaf` at `index` (RFC 9162 §2.1.3.2); ValueError if malformed."""
    if not 0 <= index < size:
        raise ValueError("leaf index outside the tree")
    fn, sn, digest = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            raise ValueError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            digest = node_hash(sibling, digest)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            digest = node_hash(digest, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("inclusion proof is too short")
    return digest


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether `proof` shows the tree of `new_size` extends the tree of `old_size` (RFC 9162 §2.1.4.2)."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof  # the empty tree is a prefix of every tree
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is itself a node of the new tree
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
