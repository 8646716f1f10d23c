"""How a governed result looks in a notebook: a table whose header says how PHI is presented.

Outputs carry `{"workbench": {"phi_result": true}}` metadata so the save hook can keep result
values out of saved notebooks.
"""

from __future__ import annotations

import html
from typing import Any

from workbench.governed.query import GovernedResult
from workbench.render import render_table

_BADGE = {
    "allow": ("", ""),
    "mask": ("masked", "#8a2be2"),
    "hash": ("hashed", "#1e6fd9"),
    "generalize": ("generalized", "#2e8b57"),
    "deny": ("denied", "#b22222"),
}

OUTPUT_METADATA = {"workbench": {"phi_result": True}}


class GovernedTable:
    """Rich display of a `GovernedResult` (HTML in the notebook, plain text elsewhere)."""

    def __init__(self, result: GovernedResult, limit: int) -> None:
        self.result = result
        self.limit = limit

    def _footer(self) -> str:
        r = self.result
        shown = min(len(r.rows), self.limit)
        parts = [f"{len(r.rows)} rows" + (f" (first {shown} shown)" if shown < len(r.rows) else "")]
        parts.append(f"role {r.principal.role}, purpose {r.purpose}")
        parts.append(f"ledger #{r.seq}")
        if r.findings:
            found = ", ".join(f"{n} {k}" for k, n in sorted(r.findings.items()))
            parts.append(f"result scan masked {found}")
        return " · ".join(parts)

    def _repr_html_(self) -> str:
        r = self.result
        head = []
        for name, action in zip(r.columns, r.presented, strict=True):
            label, color = _BADGE[action]
            badge = (
                f'<br><span style="font-size:75%;color:white;background:{color};border-radius:3px;'
                f'padding:0 4px">{label}</span>'
                if label
                else ""
            )
            head.append(f"<th>{html.escape(str(name))}{badge}</th>")
        body = []
        for row in r.rows[: self.limit]:
            cells = "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row)
            body.append(f"<tr>{cells}</tr>")
        return (
            '<div class="phi-result"><table class="dataframe">'
            f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f'<div style="font-size:85%;color:#555">{html.escape(self._footer())}</div></div>'
        )

    def __repr__(self) -> str:
        return render_table(self.result.columns, self.result.rows, limit=self.limit) + "\n" + self._footer()

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, str], dict[str, Any]]:
        data = {"text/html": self._repr_html_(), "text/plain": repr(self)}
        return data, {key: OUTPUT_METADATA for key in data}
