"""The pre-save hook as a table: outputs that must be dropped, and outputs that must be kept."""

from __future__ import annotations

from typing import Any

import pytest

from workbench.jupyter.save_hook import NOTE, scrub_notebook


def _model(source: str, output: dict[str, Any]) -> dict[str, Any]:
    cell = {"cell_type": "code", "source": source, "metadata": {}, "outputs": [output]}
    return {"type": "notebook", "content": {"cells": [cell]}}


def _stream(text: str) -> dict[str, Any]:
    return {"output_type": "stream", "name": "stdout", "text": text}


GOVERNED = {
    "output_type": "display_data",
    "data": {"text/html": "<td>Maynard46</td>"},
    "metadata": {"text/html": {"workbench": {"phi_result": True}}},
}

DROPPED = [
    ("x", GOVERNED),
    ("%%phi\nSELECT 1", _stream("1 row\n")),
    ("print(x)", _stream("SSN 999-17-5017\n")),
    ("print(x)", _stream("call 617-555-0199\n")),
    ("print(x)", _stream("mail jo@example.org\n")),
    ("df", {"output_type": "execute_result", "data": {"text/plain": "  ssn\n0 999-17-5017"}, "metadata": {}}),
    ("boom", {"output_type": "error", "ename": "E", "evalue": "bad 999-17-5017", "traceback": []}),
]

KEPT = [
    ("1 + 1", _stream("2\n")),
    ("df.shape", {"output_type": "execute_result", "data": {"text/plain": "(27, 4)"}, "metadata": {}}),
    ("print(x)", _stream("[NAME] [NAME] 1987 021\n")),
    ("print(x)", _stream("ambulatory 320 encounters\n")),
    ("print(x)", _stream("h_af61b693912efc56\n")),
]


@pytest.mark.parametrize(("source", "output"), DROPPED)
def test_outputs_that_may_hold_phi_are_not_saved(source: str, output: dict[str, Any]) -> None:
    model = _model(source, output)
    scrub_notebook(model)
    assert model["content"]["cells"][0]["outputs"] == [_stream(NOTE + "\n")]


@pytest.mark.parametrize(("source", "output"), KEPT)
def test_harmless_outputs_are_kept(source: str, output: dict[str, Any]) -> None:
    model = _model(source, output)
    scrub_notebook(model)
    assert model["content"]["cells"][0]["outputs"] == [output]


def test_a_broken_model_drops_every_output() -> None:
    model = {
        "type": "notebook",
        "content": {"cells": [{"cell_type": "code", "source": "x", "outputs": [None]}]},
    }
    scrub_notebook(model)
    assert model["content"]["cells"][0]["outputs"] == []


def test_other_files_are_untouched() -> None:
    model = {"type": "file", "content": "999-17-5017"}
    scrub_notebook(model)
    assert model["content"] == "999-17-5017"
