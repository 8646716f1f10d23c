"""SQL expressions that present one column as a role's policy says.

Each function returns DuckDB SQL over a quoted column name. The value hash is an HMAC-SHA256
computed inside DuckDB (inner/outer pads from the workspace key, bound as query parameters), so
hashing stays vectorized and equals `workbench.keys.keyed_hash` on the value's text.
"""

from __future__ import annotations

import re

from workbench.catalog import CatalogColumn
from workbench.kinds import Action, IdentifierKind
from workbench.safe_harbor import RESTRICTED_ZIP3 as RESTRICTED_ZIP3

_BIRTH = re.compile(r"birth|dob", re.IGNORECASE)
_AGE = re.compile(r"(^|_)age($|_)", re.IGNORECASE)
_ZIP = re.compile(r"zip|postal|zcta", re.IGNORECASE)
_TEMPORAL = ("DATE", "TIMESTAMP")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    block = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def _not_null(col: str, expression: str) -> str:
    return f"CASE WHEN {col} IS NULL THEN NULL ELSE {expression} END"


def mask_sql(col: str, kind: IdentifierKind) -> str:
    return _not_null(col, f"'{kind.token}'")


# The HMAC pads are bound as named parameters when the query runs, so the key never appears in
# the SQL text (which `current_query()` or an error could reveal). Governed queries may not use
# parameters themselves, so no user query can read these.
INNER_PAD = "phi_hmac_inner"
OUTER_PAD = "phi_hmac_outer"


def hash_parameters(key: bytes) -> dict[str, bytes]:
    inner, outer = hmac_pads(key)
    return {INNER_PAD: inner, OUTER_PAD: outer}


def hash_sql(col: str) -> str:
    digest = f"sha256(${OUTER_PAD} || unhex(sha256(${INNER_PAD} || encode(CAST({col} AS VARCHAR)))))"
    return _not_null(col, f"'h_' || substr({digest}, 1, 16)")


def generalize_sql(col: str, column: CatalogColumn) -> str | None:
    """Year, `90+`, ZIP-3 or `000`; None when the column has no generalization (then it is masked)."""
    kinds = set(column.kinds)
    column_type = column.type.upper()
    if kinds == {IdentifierKind.DATE}:
        if _AGE.search(column.name) and not column_type.startswith(_TEMPORAL):
            number = f"floor(TRY_CAST({col} AS DOUBLE))"
            return _not_null(
                col, f"CASE WHEN {number} >= 90 THEN '90+' ELSE CAST({number} AS BIGINT)::VARCHAR END"
            )
        moment = col if column_type.startswith(_TEMPORAL) else f"TRY_CAST({col} AS TIMESTAMP)"
        if _BIRTH.search(column.name):
            # By calendar year only, so the cut-off itself reveals no month or day: anyone who
            # may be 90 or older this year shows as `90+`.
            old = f"year(current_date) - year({moment}) >= 90"
            return _not_null(col, f"CASE WHEN {old} THEN '90+' ELSE CAST(year({moment}) AS VARCHAR) END")
        return f"year({moment})"
    if kinds == {IdentifierKind.GEO} and _ZIP.search(column.name):
        digits = f"substr(lpad(trim(CAST({col} AS VARCHAR)), 5, '0'), 1, 3)"
        restricted = ", ".join(f"'{z}'" for z in RESTRICTED_ZIP3)
        return _not_null(col, f"CASE WHEN {digits} IN ({restricted}) THEN '000' ELSE {digits} END")
    return None


def present_sql(column: CatalogColumn, action: Action) -> str | None:
    """The column as `action` presents it; None for `deny` (the column is left out)."""
    col = quote(column.name)
    if action == "allow":
        return col
    if action == "deny":
        return None
    if action == "hash":
        return hash_sql(col)
    if action == "generalize":
        general = generalize_sql(col, column)
        if general is not None:
            return general
    return mask_sql(col, column.kinds[0])
