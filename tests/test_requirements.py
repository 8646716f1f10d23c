"""The README's HIPAA claims and `tests/requirements.py` agree, and every named test exists."""

from __future__ import annotations

import ast
import re

from tests.conftest import REPO
from tests.requirements import REQUIREMENTS

CITATION = re.compile(r"\b(16[0-4]\.\d{3}(?:\([0-9a-zA-Z]+\))*)")


def test_readme_claims_exactly_the_mapped_citations() -> None:
    claimed = set(CITATION.findall((REPO / "README.md").read_text()))
    assert claimed == set(REQUIREMENTS)


def test_every_mapped_test_exists() -> None:
    missing = []
    for tests in REQUIREMENTS.values():
        assert tests, "a citation with no test"
        for node in tests:
            path, name = node.split("::")
            tree = ast.parse((REPO / path).read_text())
            if name not in {f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)}:
                missing.append(node)
    assert not missing
