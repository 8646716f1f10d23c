"""The pre-save hook as a table: outputs that must be dropped, and outputs that must be kept."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.conftest import synthea_dir
from workbench.jupyter.save_hook import NOTE, scrub_notebook
from workbench.settings import Settings


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


def test_cells_using_a_governed_variable_are_not_saved() -> None:
    names = {"output_type": "execute_result", "data": {"text/plain": "Maynard46 Mosciski958"}, "metadata": {}}
    cells = [
        {"cell_type": "code", "source": "%%phi -o people\nSELECT FIRST, LAST FROM patients", "outputs": []},
        {"cell_type": "code", "source": "people[['FIRST', 'LAST']]", "outputs": [names]},
        {"cell_type": "code", "source": "peoples = 3\npeoples", "outputs": [_stream("3\n")]},
    ]
    model = {"type": "notebook", "content": {"cells": cells}}
    scrub_notebook(model)
    assert cells[1]["outputs"] == [_stream(NOTE + "\n")]
    assert cells[2]["outputs"] == [_stream("3\n")]


def test_nbconvert_in_this_environment_scrubs_too(loaded: Settings, tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("%load_ext workbench\n%phi login --user bo --role billing"),
        nbformat.v4.new_code_cell("%%phi -o people\nSELECT FIRST, LAST FROM patients LIMIT 3"),
        nbformat.v4.new_code_cell("people"),
        nbformat.v4.new_code_cell("print(len(people))"),
    ]
    source = tmp_path / "tour.ipynb"
    nbformat.write(notebook, source)
    jupyter = Path(sys.executable).parent / "jupyter"
    subprocess.run(
        [
            str(jupyter),
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            str(source),
            "--output",
            "executed.ipynb",
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
        timeout=180,
    )
    saved = (tmp_path / "executed.ipynb").read_text()
    with (synthea_dir() / "patients.csv").open(newline="") as src:
        names = {row["FIRST"] for row in csv.DictReader(src)}
    assert not [n for n in names if n in saved]
    assert "Output not saved" in saved


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
