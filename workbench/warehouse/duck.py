"""Opening the warehouse file: short-lived connections, sandboxed read-only queries, waiting on locks.

DuckDB lets one process hold a database file read-write, and while it does, no other process can open
the file at all, not even read-only. So nothing keeps the warehouse open: each operation opens it with
`reader()` or `writer()`, works, and closes it. An open that meets another holder waits with a bounded,
jittered backoff and then gives up with `EngineBusy`.

Engine messages can echo cell values ("Could not convert string 'Smith' to INT32");
`scrub_engine_error` turns one into a single line without them before anyone sees it.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import duckdb

from workbench.errors import BadInput, EngineBusy

ConfigValue = str | bool | int | float | list[str]

#: Queries: the warehouse and nothing else — no files, no extensions, and no way to change that.
READER_CONFIG: Mapping[str, ConfigValue] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "lock_configuration": True,
}

#: Loads read source files, so file access stays on; extensions are never fetched or loaded implicitly.
WRITER_CONFIG: Mapping[str, ConfigValue] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

_FIRST_DELAY_SECONDS = 0.02
_MAX_DELAY_SECONDS = 0.5


@contextmanager
def reader(path: Path, *, wait_seconds: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only, sandboxed connection to the warehouse, closed when the block ends."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"No warehouse at {path}; run `workbench seed` or `workbench load synthea DIR`.")
    con = _connect(path, read_only=True, config=READER_CONFIG, wait_seconds=wait_seconds)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def writer(path: Path, *, wait_seconds: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection inside one transaction: committed if the block ends normally, else rolled back.

    Creates the file if it does not exist. The block must not begin, commit or roll back itself.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise BadInput(f"No folder {path.parent} for the warehouse; create it or set WORKBENCH_HOME.")
    con = _connect(path, read_only=False, config=WRITER_CONFIG, wait_seconds=wait_seconds)
    try:
        con.begin()
        try:
            yield con
        except BaseException:
            _rollback_quietly(con)
            raise
        con.commit()
    finally:
        con.close()


def _rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    # Closing the connection discards the transaction anyway; a failing rollback must not hide the cause.
    with suppress(duckdb.Error):
        con.rollback()


@dataclass(frozen=True)
class _Holder:
    """Who holds the file when an open is refused: another process (maybe with its pid) or this one."""

    pid: int | None
    this_process: bool

    def busy(self) -> EngineBusy:
        if self.this_process:
            where = "in this process (a connection in another mode is still open)"
        elif self.pid is not None:
            where = f"in another process (pid {self.pid})"
        else:
            where = "in another process"
        return EngineBusy(f"The warehouse is busy {where}; try again, or raise lock_wait_seconds.")


def _holder(exc: duckdb.Error) -> _Holder | None:
    """The holder named by a refused open, or None when the error is not about the file being held."""
    text = str(exc)
    if isinstance(exc, duckdb.IOException) and ("Could not set lock" in text or "Conflicting lock" in text):
        pid = re.search(r"\bPID (\d+)", text)
        return _Holder(pid=int(pid.group(1)) if pid else None, this_process=False)
    if isinstance(exc, duckdb.ConnectionException) and "different configuration" in text:
        return _Holder(pid=None, this_process=True)
    return None


def _connect(
    path: Path, *, read_only: bool, config: Mapping[str, ConfigValue], wait_seconds: float
) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting with jittered exponential backoff while another connection holds it.

    Every pass either returns, raises, or sleeps at least half the current delay without passing the
    deadline, so the loop ends by `wait_seconds` (plus one open attempt).
    """
    deadline = time.monotonic() + max(wait_seconds, 0.0)
    delay = _FIRST_DELAY_SECONDS
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=dict(config))
        except duckdb.Error as exc:
            holder = _holder(exc)
            if holder is None:
                raise BadInput(f"Cannot open the warehouse at {path}: {scrub_engine_error(exc)}") from None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise holder.busy()
        time.sleep(min(remaining, random.uniform(delay / 2, delay)))
        delay = min(delay * 2, _MAX_DELAY_SECONDS)


# --- scrubbing engine messages -------------------------------------------------------------------------

#: Lines after the first that carry only names, never values.

#: Message shapes whose quoted part is a value; the value may itself hold quotes, so the match is greedy.
_VALUE_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    # Could not convert string 'x' to INT32 / with value 'x' can't be cast / parse string "x" according to
    (re.compile(r"""\b(string|value) (['"]).*\2(?= (?:to|can't|according)\b)"""), r"\1 \2…\2"),
    # the same in a wording not known yet: everything up to the last quote of that kind on the line
    (re.compile(r"""\b(string|value) (['"])(?!…\2).*\2"""), r"\1 \2…\2"),
    # Duplicate key "id: 5" violates ... / because key "id: 5" does not exist ...
    (re.compile(r'\bkey ".*"(?= (?:violates|does)\b)'), 'key "…"'),
    # invalid date field format: "x", expected ... / date field value out of range: "x"
    (re.compile(r'\b(format|range): ".*"'), r'\1: "…"'),
    # Malformed JSON ... Input: "x"
    (re.compile(r'\bInput: ".*"'), 'Input: "…"'),
)

#: A quoted string (an unclosed one runs to the end of the line; the apostrophe in "can't" opens none),
#: or a run that starts with a digit (numbers, dates, times: "2020-13-1", "10").
_TOKEN = re.compile(r"""(?<!\w)'[^']*(?:'|$)|"[^"]*(?:"|$)|(?<![\w.])[-+]?\d[\w\-:./]*""")

#: The word before a double-quoted name: `column "x"`, `Did you mean "t"`, `Candidate bindings: "a"`.
_NAME_CONTEXT = re.compile(
    r"\b(?:column|columns|table|tables|view|schema|catalog|database|function|macro|type|alias|index|"
    r"sequence|name|named|bindings|mean|file|directory|option|setting|extension|near)[\s:]*$",
    re.IGNORECASE,
)
_NAME_LIST_CONTINUES = re.compile(r'",\s*$')

#: Single-quoted text kept: a target type (`to 'DATE'`) or a function signature in a binder message.
_TYPE_CONTEXT = re.compile(r"\bto\s*$")
_TYPE_NAME = re.compile(r"[A-Z][A-Z0-9_ ]*(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])?")
_SIGNATURE_CONTEXT = re.compile(r"\bargument types\s*$")
_SIGNATURE = re.compile(r"[\w+\-*/%<>=!|&^~]+\([A-Z0-9_\[\](), ]*\)")

#: Numbers kept: line numbers, column counts, a pid, a byte offset, type parameters such as DECIMAL(18,2).
_NUMBER_CONTEXT = re.compile(
    r"(?:\b(?:Line:?|line|PID|byte|Columns:|Found:)\s*|\b[A-Z][A-Z0-9_]*\((?:\d+,\s*)?)$"
)

#: "Invalid Input Error" also carries text a query chose (`error(col)`, a regex taken from a column); its
#: body is kept only when it has one of these shapes.
_INVALID_INPUT_SHAPES = re.compile(
    r"(?:CSV Error on Line|Cannot change configuration option|Cannot execute statement of type|"
    r"Could not parse string|Malformed JSON|Attempting to execute an unsuccessful or closed)"
)


def scrub_engine_error(exc: duckdb.Error) -> str:
    """The engine's message on one line without data values: quoted literals and numbers become '…'.

    Keeps the error type and names (`Binder Error: Referenced column "x" not found ...`), drops the echoed
    statement (`LINE 1: ...`), caret lines, CSV `Original Line:` echoes and hints. Best effort: it knows
    DuckDB's message shapes, and withholds an `Invalid Input Error` body of a shape it does not know.
    """
    raw = str(exc).strip()
    first_raw = (raw.splitlines() or [type(exc).__name__])[0]
    if first_raw.startswith("Conversion Error"):
        # The body echoes the value, which may hold quotes or newlines: never show it.
        types = _TYPE_NAME.findall(first_raw)
        into = f" to {types[-1]}" if types else ""
        return f"Conversion Error: a value could not be converted{into}; check the casts and comparisons in the query"
    # Quoted text may span lines (a value holding a newline can forge a hint line): blank every
    # quoted span first, then keep the first line only, cut at any quote left unbalanced.
    signatures: list[str] = []

    def blank_unless_signature(match: re.Match[str]) -> str:
        if _SIGNATURE.fullmatch(match.group(0)):  # '+(DATE, VARCHAR)': types, not values
            signatures.append(match.group(0))
            return chr(0xE000 + len(signatures) - 1)  # a private-use mark _redact leaves alone
        return "'…'"

    blanked = re.sub(r"'[^']*'", blank_unless_signature, raw)
    blanked = re.sub(r'"[^"]*"', lambda m: '"…"' if "\n" in m.group(0) else m.group(0), blanked)
    first = (blanked.splitlines() or [type(exc).__name__])[0]
    for quote in ("'", '"'):
        if first.count(quote) % 2:
            first = first[: first.find(quote)] + quote + "…" + quote
    text = re.sub("[\ue000-\ue0ff]", lambda m: signatures[ord(m.group(0)) - 0xE000], _redact(first))
    kind, sep, body = text.partition(": ")
    if kind == "Invalid Input Error" and sep and not _INVALID_INPUT_SHAPES.match(body):
        text = "Invalid Input Error (details withheld; they may hold data values)"
    return re.sub(r"\s+", " ", text).strip()


_SIGNATURE = re.compile(r"'[\w+\-*/<>=!~|&%^]+\([A-Z0-9_, \[\]()]*\)'")


_TYPE_NAME = re.compile(
    r"\b(?:U?INT(?:8|16|32|64|128)|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UHUGEINT|FLOAT|DOUBLE|BOOLEAN|"
    r"DECIMAL\(\d+,\d+\)|DATE|TIME|TIMESTAMP(?: WITH TIME ZONE)?|TIMESTAMP_(?:S|MS|NS)|INTERVAL|UUID|"
    r"JSON|VARCHAR|BLOB|BIT)(?=\s|$|\[)"
)


def _redact(line: str) -> str:
    for shape, replacement in _VALUE_SHAPES:
        line = shape.sub(replacement, line)
    out: list[str] = []
    position = 0
    name_kept = False
    for match in _TOKEN.finditer(line):
        out.append(line[position : match.start()])
        before = "".join(out)
        token = match.group()
        if token.startswith('"'):
            continues = name_kept and _NAME_LIST_CONTINUES.search(before) is not None
            named = continues or _NAME_CONTEXT.search(before) is not None
            name_kept = named and "'" not in token
            out.append(token if name_kept else '"…"')
        elif token.startswith("'"):
            inner = token[1:-1]
            keep = (_TYPE_CONTEXT.search(before) and _TYPE_NAME.fullmatch(inner)) or (
                _SIGNATURE_CONTEXT.search(before) and _SIGNATURE.fullmatch(inner)
            )
            out.append(token if keep else "'…'")
            name_kept = False
        else:
            out.append(token if _NUMBER_CONTEXT.search(before) else "…")
            name_kept = False
        position = match.end()
    out.append(line[position:])
    return "".join(out)
