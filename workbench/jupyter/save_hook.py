"""Keep PHI out of saved notebooks: a Jupyter server pre-save hook.

`make lab` starts JupyterLab with
`--ContentsManager.pre_save_hook=workbench.jupyter.save_hook.scrub_notebook`. On every save,
outputs of governed queries (marked by their metadata), outputs of `%%phi` cells, and any other
output in which the fast scanner finds an identifier are replaced by a one-line note. If
anything goes wrong, every output is dropped: a notebook is never saved with a PHI value.
"""

from __future__ import annotations

from typing import Any

from workbench.detect.scan import scan_text
from workbench.kinds import IdentifierKind

NOTE = (
    "Output not saved: it may hold PHI. Re-run the cell to see it again (access is recorded in the ledger)."
)
_TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "application/json")
# Record keys and bare dates are everywhere in analysis output; the save scan looks for the rest.
_IGNORED = {IdentifierKind.OTHER_ID, IdentifierKind.DATE}


def _note() -> dict[str, Any]:
    return {"output_type": "stream", "name": "stdout", "text": NOTE + "\n"}


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


def scrub_cell(cell: dict[str, Any]) -> None:
    outputs = cell.get("outputs") or []
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    phi_cell = source.lstrip().startswith("%%phi")
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
    cells = model["content"].get("cells", [])
    try:
        for cell in cells:
            if cell.get("cell_type") == "code":
                scrub_cell(cell)
    except Exception:  # fail closed: the server would otherwise save the unscrubbed model
        for cell in cells:
            if cell.get("cell_type") == "code":
                cell["outputs"] = []
