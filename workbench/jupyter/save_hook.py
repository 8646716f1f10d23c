"""Keep PHI out of saved notebooks: a Jupyter server pre-save hook.

`make` installs `jupyter-config/` into the environment's `etc/jupyter`, so every Jupyter server
started from it runs `scrub_notebook` before saving, and every `jupyter nbconvert` runs the
`ScrubOutputs` preprocessor. Dropped and replaced by a one-line note: outputs of governed queries
(marked by their metadata), outputs of `%%phi` cells, outputs of cells that use a variable a
`%%phi -o NAME` cell filled, and any other output in which the fast scanner finds an
identifier. If anything goes wrong, every output is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import nbformat
from nbconvert.preprocessors import Preprocessor

from workbench.detect.scan import scan_text
from workbench.kinds import IdentifierKind

NOTE = (
    "Output not saved: it may hold PHI. Re-run the cell to see it again (access is recorded in the ledger)."
)
_TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "application/json")
# Record keys and bare dates are everywhere in analysis output; the save scan looks for the rest.
_IGNORED = {IdentifierKind.OTHER_ID, IdentifierKind.DATE}


def _note() -> dict[str, Any]:
    note: dict[str, Any] = nbformat.from_dict(
        {"output_type": "stream", "name": "stdout", "text": NOTE + "\n"}
    )
    return note


def _is_governed(output: dict[str, Any]) -> bool:
    metadata = output.get("metadata") or {}
    return any(
        isinstance(m, dict) and m.get("workbench", {}).get("phi_result") for m in metadata.values()
    ) or bool(metadata.get("workbench", {}).get("phi_result"))


def _texts(output: dict[str, Any]) -> list[str]:
    texts = []
    if "text" in output:
        value = output["text"]
        texts.append("".join(value) if isinstance(value, list) else str(value))
    for mime, value in (output.get("data") or {}).items():
        if mime in _TEXT_TYPES:
            texts.append("".join(value) if isinstance(value, list) else str(value))
    if output.get("output_type") == "error":
        texts.append(str(output.get("evalue", "")))
        texts.extend(str(line) for line in output.get("traceback", []))
    return texts


def _holds_identifiers(output: dict[str, Any]) -> bool:
    return any(f.kind not in _IGNORED for text in _texts(output) for f in scan_text(text))


_OUTPUT_OPTION = re.compile(r"(?:^|\s)(?:-o|--output)(?:\s+|=)([A-Za-z_]\w*)")


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def governed_variables(cells: list[dict[str, Any]]) -> set[str]:
    """Names that `%%phi -o NAME` cells fill with governed results."""
    names = set()
    for cell in cells:
        source = _source(cell).lstrip()
        if source.startswith("%%phi"):
            names.update(_OUTPUT_OPTION.findall(source.splitlines()[0]))
    return names


def scrub_cell(cell: dict[str, Any], governed: Collection[str] = ()) -> None:
    outputs = cell.get("outputs") or []
    source = _source(cell)
    phi_cell = source.lstrip().startswith("%%phi") or any(
        re.search(rf"\b{name}\b", source) for name in governed
    )
    kept: list[dict[str, Any]] = []
    for output in outputs:
        if phi_cell or _is_governed(output) or _holds_identifiers(output):
            if not kept or kept[-1].get("text") != NOTE + "\n":
                kept.append(_note())
        else:
            kept.append(output)
    cell["outputs"] = kept


def scrub_notebook(model: dict[str, Any], **_: Any) -> None:
    """Pre-save hook: edit `model` in place so no governed result is written to disk."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    scrub_cells(model["content"].get("cells", []))


def scrub_cells(cells: list[dict[str, Any]]) -> None:
    """Scrub every code cell in place; on any error drop every output (fail closed)."""
    try:
        governed = governed_variables(cells)
        for cell in cells:
            if cell.get("cell_type") == "code":
                scrub_cell(cell, governed)
    except Exception:  # fail closed: the server would otherwise save the unscrubbed model
        for cell in cells:
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                cell["outputs"] = []


class ScrubOutputs(Preprocessor):  # type: ignore[misc]
    """nbconvert preprocessor: the same scrub for notebooks written by `jupyter nbconvert`."""

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        scrub_cells(nb.get("cells", []))
        return nb, resources
