"""The Merkle tree (RFC 6962 / 9162): published test vectors, every proof shape, and what must fail."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ledger.sample import query_event
from workbench.ledger import Ledger
from workbench.ledger.merkle import (
    EMPTY_ROOT,
    Frontier,
    complete_root,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_from_inclusion,
    root_of,
    verify_consistency,
)
from workbench.ledger.tree import SubtreeReader, all_nodes, leaf_count, position, stored_nodes

# The Certificate Transparency reference leaves and tree heads (RFC 6962 test data, as published
# with transparency-dev/merkle and certificate-transparency-go).
CT_DATA = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
CT_LEAVES = [leaf_hash(bytes.fromhex(data)) for data in CT_DATA]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, proof)
CT_INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
# (old size, new size, proof)
CT_CONSISTENCY = [
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


def from_list(leaves: list[bytes]) -> Callable[[int, int], bytes]:
    return lambda start, end: root_of(leaves[start:end])


@pytest.mark.parametrize("size", range(len(CT_ROOTS)))
def test_reference_roots(size: int) -> None:
    assert root_of(CT_LEAVES[:size]).hex() == CT_ROOTS[size]
    frontier = Frontier()
    frontier.extend(CT_LEAVES[:size])
    assert frontier.root().hex() == CT_ROOTS[size]


@pytest.mark.parametrize(("index", "size", "proof"), CT_INCLUSION)
def test_reference_inclusion_proofs(index: int, size: int, proof: list[str]) -> None:
    made = inclusion_proof(index, size, from_list(CT_LEAVES))
    assert [node.hex() for node in made] == proof
    assert root_from_inclusion(index, size, CT_LEAVES[index], made).hex() == CT_ROOTS[size]


@pytest.mark.parametrize(("old", "new", "proof"), CT_CONSISTENCY)
def test_reference_consistency_proofs(old: int, new: int, proof: list[str]) -> None:
    made = consistency_proof(old, new, from_list(CT_LEAVES))
    assert [node.hex() for node in made] == proof
    assert verify_consistency(old, new, bytes.fromhex(CT_ROOTS[old]), bytes.fromhex(CT_ROOTS[new]), made)


LEAVES = [leaf_hash(b"entry %d" % n) for n in range(70)]


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33, 64, 70])
def test_every_inclusion_proof_verifies_and_wrong_ones_do_not(size: int) -> None:
    leaves, root = LEAVES[:size], root_of(LEAVES[:size])

    def reaches_root(index: int, leaf: bytes, proof: list[bytes]) -> bool:
        try:
            return root_from_inclusion(index, size, leaf, proof) == root
        except ValueError:  # a proof of the wrong length for that index
            return False

    for index in range(size):
        proof = inclusion_proof(index, size, from_list(leaves))
        assert reaches_root(index, leaves[index], proof)
        other = (index + 1) % size
        if other != index:  # the proof does not work for another leaf, nor at another index
            assert not reaches_root(index, leaves[other], proof)
            assert not reaches_root(other, leaves[index], proof)
        assert not proof or not reaches_root(index, leaves[index], proof[:-1])
        assert not reaches_root(index, leaves[index], [*proof, root])


@pytest.mark.parametrize("new", [1, 2, 3, 5, 8, 9, 13, 32, 33, 70])
def test_every_consistency_proof_verifies_and_wrong_roots_do_not(new: int) -> None:
    new_root = root_of(LEAVES[:new])
    for old in range(1, new + 1):
        proof = consistency_proof(old, new, from_list(LEAVES))
        old_root = root_of(LEAVES[:old])
        assert verify_consistency(old, new, old_root, new_root, proof)
        forged_old = root_of([leaf_hash(b"forged"), *LEAVES[1:old]])
        assert not verify_consistency(old, new, forged_old, new_root, proof)
        assert not verify_consistency(old, new, old_root, hashlib.sha256(b"other").digest(), proof)


# (name, old size, new size, proof change): malformed consistency proofs are refused.
BAD_CONSISTENCY = [
    ("one hash dropped", 3, 8, lambda p: p[:-1]),
    ("one hash added", 3, 8, lambda p: [*p, p[0]]),
    ("hashes reversed", 3, 8, lambda p: p[::-1]),
    ("empty", 3, 8, lambda p: []),
    ("old larger than new", 9, 8, lambda p: p),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "change"), BAD_CONSISTENCY, ids=[r[0] for r in BAD_CONSISTENCY]
)
def test_bad_consistency_proofs(
    name: str, old: int, new: int, change: Callable[[list[bytes]], list[bytes]]
) -> None:
    proof = consistency_proof(min(old, new), new, from_list(LEAVES))
    assert not verify_consistency(old, new, root_of(LEAVES[:old]), root_of(LEAVES[:new]), change(proof))


def test_empty_tree_and_argument_checks() -> None:
    assert root_of([]) == EMPTY_ROOT == Frontier().root() == hashlib.sha256(b"").digest()
    assert verify_consistency(0, 5, EMPTY_ROOT, root_of(LEAVES[:5]), [])
    for bad in ((0, 0), (5, 5), (-1, 3)):
        with pytest.raises(ValueError):
            inclusion_proof(*bad, from_list(LEAVES))
    with pytest.raises(ValueError):
        consistency_proof(0, 3, from_list(LEAVES))
    with pytest.raises(ValueError):
        Frontier(3, [LEAVES[0]])  # size 3 needs two hashes (2 + 1)
    frontier = Frontier()
    frontier.push(LEAVES[0])
    with pytest.raises(ValueError):
        frontier.push_subtree(1, LEAVES[1])  # a two-leaf subtree cannot start at leaf 1


@pytest.mark.parametrize("size", [0, 1, 5, 4096, 4097, 10_000])
def test_frontier_extend_matches_one_leaf_at_a_time(size: int) -> None:
    leaves = [leaf_hash(b"%d" % n) for n in range(size)]
    one, batch, split = Frontier(), Frontier(), Frontier()
    for leaf in leaves:
        one.push(leaf)
    batch.extend(leaves)
    split.extend(leaves[: size // 3])
    split.extend(leaves[size // 3 :])
    assert one.root() == batch.root() == split.root() and one.size == batch.size == size
    assert (one.nodes, one.levels) == (batch.nodes, batch.levels)
    if size and size & (size - 1) == 0:
        assert complete_root(leaves) == one.root()


def test_post_order_positions_are_consecutive() -> None:
    expected = 0
    for index in range(300):
        level, at = 0, index
        assert position(0, index) == expected
        expected += 1
        while at & 1:
            level, at = level + 1, at >> 1
            assert position(level, at) == expected
            expected += 1
        assert stored_nodes(index + 1) == expected
    assert [pos for pos, _ in all_nodes(LEAVES)] == list(range(stored_nodes(len(LEAVES))))


def test_the_stored_tree_of_a_real_ledger(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    for n in range(1, 38):
        ledger.append(query_event(n))
    with sqlite3.connect(ledger.path) as db:
        leaves = [bytes(row[0]) for row in db.execute("SELECT hash FROM tree ORDER BY pos")]
        stored = dict(all_nodes([leaves[position(0, i)] for i in range(37)]))
        assert dict(enumerate(leaves)) == stored  # every stored node is the hash it should be
        assert leaf_count(db) == ledger.size() == 37
        reader = SubtreeReader(db)
        for size in range(1, 38):
            expected = root_of([stored[position(0, i)] for i in range(size)])
            assert reader.frontier(size).root() == ledger.root(size) == expected
