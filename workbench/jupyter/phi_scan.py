"""`%phi scan` and `%phi mask`: the detection engine on a string, a DataFrame or a warehouse table.

    %phi scan "Seen by Dr. Okafor on 3/4/2021"      # findings: kind, offsets, score (never the value)
    %phi scan notes_df [--fast]                     # column classification of a DataFrame (bounded sample)
    %phi scan patients  /  %phi scan --table patients   # column classification of a warehouse table
    masked = %phi mask note [--operator replace|redact|hash|shift|generalize] [--patient ID] [--fast]

A bare word names a variable of the notebook; a quoted argument is the text itself.
"""

from __future__ import annotations

import argparse
from typing import Any

from workbench.errors import BadInput
from workbench.settings import Settings

SAMPLE_ROWS = 200


def _value(namespace: dict[str, Any], argument: str, quoted: bool) -> Any:
    if quoted or not argument.isidentifier():
        return argument
    if argument not in namespace:
        raise BadInput(f"No variable {argument!r} in the notebook; quote the text to scan it as a string.")
    return namespace[argument]


def _is_frame(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and hasattr(value, "columns")


def _findings_frame(findings: list[Any]) -> Any:
    import pandas as pd

    rows = [(f.kind.value, f.start, f.end, round(f.score, 3), f.recognizer) for f in findings]
    return pd.DataFrame(rows, columns=["kind", "start", "end", "score", "recognizer"])


def _tags_frame(tags: list[Any]) -> Any:
    import pandas as pd

    rows = [
        (t.table, t.column, ", ".join(k.value for k in t.kinds) or "-", t.confidence, t.evidence)
        for t in tags
    ]
    return pd.DataFrame(rows, columns=["table", "column", "kinds", "confidence", "evidence"])


def scan(namespace: dict[str, Any], args: argparse.Namespace, quoted: bool, settings: Settings) -> Any:
    """A DataFrame of the findings in a string (kind, offsets, score: never the value), or of the column
    classification of a DataFrame or a warehouse table."""
    from workbench.detect.classify import classify_columns, classify_table, is_person_level

    mode = "fast" if args.fast else "default"
    if args.target and not quoted and args.target.isidentifier() and args.target not in namespace:
        args.table = args.target  # not a variable of the notebook: a warehouse table
    if args.table:
        from workbench.warehouse.duck import reader

        with reader(settings.warehouse_path, wait_seconds=settings.lock_wait_seconds) as con:
            return _tags_frame(classify_table(con, args.table, sample_rows=SAMPLE_ROWS))
    if args.target is None:
        raise BadInput(
            'Say what to scan: `%phi scan "text"`, `%phi scan VARIABLE` or `%phi scan --table NAME`.'
        )
    value = _value(namespace, args.target, quoted)
    if _is_frame(value):
        columns = [(str(name), str(dtype).upper()) for name, dtype in value.dtypes.items()]
        samples = {
            str(name): list(value[name].dropna().head(SAMPLE_ROWS).astype(str)) for name in value.columns
        }
        person_level = args.person_level or is_person_level("dataframe", [name for name, _t in columns])
        return _tags_frame(classify_columns("dataframe", columns, samples, person_level=person_level))
    from workbench.detect.engine import detect

    text = value if isinstance(value, bytes | str) else str(value)
    return _findings_frame(detect(text, mode=mode))  # type: ignore[arg-type]


def mask(namespace: dict[str, Any], args: argparse.Namespace, quoted: bool, settings: Settings) -> Any:
    """The string or DataFrame with every finding replaced as the operator says."""
    from workbench import audit
    from workbench.detect.engine import detect, detect_many
    from workbench.detect.operators import OPERATORS, apply, shift_days

    if args.operator not in OPERATORS:
        raise BadInput(f"Unknown operator {args.operator!r}; use one of {', '.join(OPERATORS)}.")
    key = audit.value_key(settings) if args.operator in ("hash", "shift") else None
    days = None
    if args.operator == "shift":
        if not args.patient:
            raise BadInput(
                "The shift operator needs --patient ID, so that one patient's dates move together."
            )
        assert key is not None
        days = shift_days(key, args.patient)
    mode = "fast" if args.fast else "default"
    value = _value(namespace, args.target, quoted)
    if _is_frame(value):
        masked = value.copy()
        for name in value.columns:
            cells = [cell if isinstance(cell, str) else None for cell in value[name]]
            if not any(cell is not None for cell in cells):
                continue
            texts = [cell for cell in cells if cell is not None]
            found = iter(detect_many(texts, mode=mode, context=[str(name)]))  # type: ignore[arg-type]
            masked[name] = [
                apply(cell, next(found), args.operator, key=key, days=days)[0]
                if cell is not None
                else original
                for cell, original in zip(cells, value[name], strict=True)
            ]
        return masked
    text = value if isinstance(value, str) else str(value)
    return apply(text, detect(text, mode=mode), args.operator, key=key, days=days)[0]  # type: ignore[arg-type]


def parser(prog: str, parser_class: type[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = parser_class(prog=prog, add_help=False)
    p.add_argument("target", nargs="?")
    p.add_argument("--fast", action="store_true")
    if prog.endswith("scan"):
        p.add_argument("--table")
        p.add_argument("--person-level", action="store_true")
    else:
        p.add_argument("--operator", default="replace")
        p.add_argument("--patient")
    return p
