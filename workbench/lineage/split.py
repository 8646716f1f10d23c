"""A SQL file -> its statements, each parsed on its own so one bad statement spoils only itself.

The text is tokenized once with the dialect's tokenizer and cut at semicolons (T-SQL also at `GO`
and where a new statement starts without one, see `workbench.lineage.tsql`). Procedural wrappers
carry no lineage and are peeled off: `BEGIN`/`END`, `IF ... THEN`, `ELSE`, `WHILE ... DO`, `LOOP`,
`END IF`; the statements inside them are kept. A huge `INSERT ... VALUES` holds only literals and
is skipped without parsing, so a multi-megabyte dump does not stall a build.

Errors name a line, a column and the parser's description with quoted text and numbers removed:
SQL files can hold literal values, and an error message must never carry one.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from workbench.lineage import tsql

# Statements beyond this many tokens are not parsed (a generated dump, not a transformation).
MAX_STATEMENT_TOKENS = 200_000
_VALUES_SKIP_TOKENS = 2_000
# Files larger than this are cut at semicolons by a regular expression before tokenizing.
LARGE_FILE_CHARS = 1_000_000

_CONTROL_OPENERS = {"IF": "THEN", "ELSEIF": "THEN", "ELSIF": "THEN", "WHILE": "DO", "FOR": "DO"}
_CONTROL_WORDS = {"ELSE", "LOOP", "REPEAT", "BEGIN", "DECLARE_BLOCK"}
_TRANSACTION_WORDS = {"TRANSACTION", "TRAN", "WORK", "DISTRIBUTED"}
_END_WORDS = {"IF", "LOOP", "WHILE", "FOR", "REPEAT", "CASE", "TRY", "CATCH"}


@dataclass(frozen=True)
class FileError:
    """A statement (or a whole file) that could not be read; never holds SQL text or values."""

    file: str
    line: int
    col: int
    message: str

    def __post_init__(self) -> None:
        # positions are 1-based; 0:0 marks an error of the whole file
        if self.line < 0:
            object.__setattr__(self, "line", 0)
        if self.col < 1:
            object.__setattr__(self, "col", 1 if self.line > 0 else 0)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


@dataclass(frozen=True)
class Statement:
    """One parsed statement and the line it starts on."""

    expression: exp.Expr
    line: int


# A parser's message quotes the SQL (`Unknown option SMITH_123456789`, token reprs with their
# comments), and no scrub of free text is safe: the message shown, returned and stored is one of
# these fixed templates, chosen by what the parser said, never holding any of its text.
_TEMPLATES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"unknown option", re.I), "unknown option"),
    (re.compile(r"required keyword", re.I), "a required keyword is missing"),
    (re.compile(r"^expect|expected|expecting", re.I), "cannot parse this statement (unexpected token)"),
    (re.compile(r"unsupported|not supported|cannot (?:optimi|qualif)", re.I), "unsupported statement"),
    (re.compile(r"unknown (?:table|column)|could not resolve|cannot resolve|ambiguous", re.I),
     "a name could not be resolved"),
    (re.compile(r"tokeni", re.I), "could not tokenize"),
)  # fmt: skip
_FALLBACK = "cannot parse this statement"


def scrub(message: object) -> str:
    """A fixed description of a parser error (`message` an exception or its text): no SQL text."""
    if isinstance(message, BaseException):
        name = type(message).__name__
        text = str(message)
        if name == "TokenError":
            return "could not tokenize"
        if name == "OptimizeError":
            return "unsupported statement"
    else:
        text = str(message)
    for pattern, template in _TEMPLATES:
        if pattern.search(text):
            return template
    return _FALLBACK


@contextmanager
def quiet_sqlglot() -> Iterator[None]:
    """Silence sqlglot's logger (its warnings quote SQL text) for the duration of a build."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


@dataclass(frozen=True)
class _Chunk:
    tokens: list[Token]
    sql: str
    line_offset: int  # added to token lines (chunks re-tokenized from a string start at line 1)

    @property
    def line(self) -> int:
        return self.tokens[0].line + self.line_offset if self.tokens else self.line_offset + 1

    @property
    def col(self) -> int:
        return max(1, self.tokens[0].col - len(self.tokens[0].text) + 1) if self.tokens else 1


def parse_file(
    text: str, dialect: str, deadline: float | None = None
) -> tuple[list[Statement], list[FileError]]:
    """Every statement of `text` that parses, and an error for each one that does not.

    Past `deadline` (a `time.monotonic()` instant) the rest of the file is skipped and reported.
    """
    parsed = parse_file_detail(text, dialect, deadline)
    return parsed.statements, parsed.errors


@dataclass
class ParsedFile:
    """`parse_file`'s answer, with how many statements the splitter dropped (control flow, PRINT, ...)."""

    statements: list[Statement]
    errors: list[FileError]
    dropped: int = 0


def parse_file_detail(text: str, dialect: str, deadline: float | None = None) -> ParsedFile:
    """`parse_file`, also counting the statements that carry no lineage and were dropped unparsed."""
    dialect_obj = Dialect.get_or_raise(dialect)
    statements: list[Statement] = []
    errors: list[FileError] = []
    parsed_before: dict[int, list[exp.Expr | None]] = {}
    dropped = [0]
    text = text.removeprefix("\ufeff")  # a byte-order mark decoded as text
    for chunk in _chunks(text, dialect_obj, errors, deadline, dropped):
        if len(chunk.tokens) > MAX_STATEMENT_TOKENS:
            if not _is_values_insert(chunk.tokens):
                errors.append(FileError("", chunk.line, chunk.col, "statement too large to trace; skipped"))
            continue
        if len(chunk.tokens) > _VALUES_SKIP_TOKENS and _is_values_insert(chunk.tokens):
            continue
        key = id(chunk.tokens)  # a repeated piece of a large file shares its token list
        parsed = parsed_before.get(key)  # generated files repeat statements: parse each text once
        if parsed is None:
            try:
                parsed = dialect_obj.parser().parse(chunk.tokens, chunk.sql)
            except ParseError as exc:
                detail = exc.errors[0] if exc.errors else {}
                line = int(detail.get("line") or chunk.tokens[0].line) + chunk.line_offset
                col = int(detail.get("col") or 1)
                highlight = str(detail.get("highlight") or "")
                if highlight and "\n" not in highlight:  # the parser gives the token's last column
                    col = col - len(highlight) + 1
                col = max(1, col)
                errors.append(FileError("", line, col, scrub(str(detail.get("description") or exc))))
                continue
            except RecursionError:
                errors.append(FileError("", chunk.line, chunk.col, "statement nested too deeply to parse"))
                continue
            except Exception as exc:  # a parser bug must not stop the rest of the file
                errors.append(FileError("", chunk.line, chunk.col, f"parser failed ({type(exc).__name__})"))
                continue
            parsed_before[key] = parsed
        if not any(expression is not None for expression in parsed):
            errors.append(FileError("", chunk.line, chunk.col, "statement parsed to nothing; not traced"))
        for expression in parsed:
            if isinstance(expression, exp.Command):
                # sqlglot gave up on the statement: say so unless its verb never writes lineage
                if str(expression.this or "").upper() not in QUIET_COMMANDS:
                    errors.append(FileError("", chunk.line, chunk.col, _UNSUPPORTED))
            elif expression is not None and not isinstance(expression, exp.EndStatement):
                statements.append(Statement(expression, chunk.line))
    return ParsedFile(statements, errors, dropped[0])


_UNSUPPORTED = "statement uses syntax the parser does not support; not traced"
# Verbs that write nothing lineage follows: sqlglot keeping them as a raw command loses nothing.
QUIET_COMMANDS = frozenset(
    {
        "SET", "RESET", "USE", "GRANT", "REVOKE", "DENY", "DECLARE", "PRINT", "EXEC", "EXECUTE", "CALL",
        "VACUUM", "ANALYZE", "ANALYSE", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "COMMENT", "PRAGMA",
        "LOAD", "INSTALL", "ATTACH", "DETACH", "DISCARD", "LOCK", "UNLOCK", "REFRESH",
        "CLUSTER", "REINDEX", "OPTIMIZE", "MSCK", "RAISERROR", "THROW", "WAITFOR", "DBCC", "CHECKPOINT",
        "KILL", "BACKUP", "RESTORE", "LISTEN", "NOTIFY", "UNLISTEN", "PREPARE", "DEALLOCATE", "CLOSE",
        "OPEN", "FETCH", "MOVE", "GO", "DROP", "TRUNCATE",
    }
)  # fmt: skip


def _tokenize(text: str, dialect: Dialect, errors: list[FileError], line_offset: int) -> list[Token] | None:
    try:
        return dialect.tokenize(text)
    except TokenError:
        pass
    # Salvage: tokenize each `;`-terminated piece alone and report the pieces that still fail.
    tokens: list[Token] = []
    line = 0
    for piece in re.split(r"(?<=;)(?=\s*\n)", text):
        try:
            piece_tokens = dialect.tokenize(piece)
        except TokenError:
            leading = len(piece) - len(piece.lstrip("\n\r\t "))
            first_line = line + piece[:leading].count("\n") + line_offset + 1
            errors.append(FileError("", first_line, 1, "could not tokenize (unclosed quote or comment?)"))
        else:
            for token in piece_tokens:
                token.line += line
            tokens.extend(piece_tokens)
            if piece_tokens and piece_tokens[-1].token_type != TokenType.SEMICOLON:
                tokens.append(Token(TokenType.SEMICOLON, ";", line=piece_tokens[-1].line))
        line += piece.count("\n")
    return tokens


# Quoted text, comments and semicolons, for cutting a large file without the (slow) tokenizer.
_LEXEMES = re.compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|--[^\n]*|/\*.*?\*/|\$(\w*)\$.*?\$\1\$|;", re.DOTALL
)
_VALUES_DUMP = re.compile(
    r"^\s*(?:INSERT|REPLACE)\b(?:(?!\bSELECT\b).)*?\bVALUES\b", re.IGNORECASE | re.DOTALL
)


def _presplit(text: str) -> list[tuple[str, int]]:
    """`text` cut after each semicolon outside quotes and comments, with each piece's line offset."""
    pieces: list[tuple[str, int]] = []
    start = 0
    line = 0
    for match in _LEXEMES.finditer(text):
        if match.group(0) == ";":
            piece = text[start : match.end()]
            pieces.append((piece, line))
            line += piece.count("\n")
            start = match.end()
    if text[start:].strip():
        pieces.append((text[start:], line))
    return pieces


def _is_values_dump(piece: str) -> bool:
    """A large `INSERT ... VALUES` piece without SELECT: literals only, not worth tokenizing."""
    if len(piece) < 20_000 or not _VALUES_DUMP.match(piece):
        return False
    blanked = _LEXEMES.sub("''", piece)
    return re.search(r"\bSELECT\b", blanked, re.IGNORECASE) is None


def _chunks(
    text: str, dialect: Dialect, errors: list[FileError], deadline: float | None, dropped: list[int]
) -> Iterator[_Chunk]:
    pieces = _presplit(text) if len(text) > LARGE_FILE_CHARS else [(text, 0)]
    is_tsql = dialect.__class__.__name__.lower() == "tsql"
    seen: dict[str, list[list[Token]]] = {}  # token lines are relative to the piece, so reusable
    for piece, offset in pieces:
        if deadline is not None and time.monotonic() > deadline:
            errors.append(
                FileError("", offset + 1, 1, "time budget for this file spent; the rest was not read")
            )
            return
        parts = seen.get(piece.strip())
        if parts is None:
            if _is_values_dump(piece):
                continue
            tokens = _tokenize(piece, dialect, errors, offset)
            if not tokens:
                continue
            if is_tsql:
                tokens = _expand_commands(tokens, piece, dialect)
            parts = _split_semicolons(tokens)
            if is_tsql:
                split = [tsql.split_batch_counted(statement) for statement in parts]
                parts = [part for kept, _ in split for part in kept]
                dropped[0] += sum(count for _, count in split)
            if len(pieces) > 1:
                seen[piece.strip()] = parts
        for part in parts:
            yield from _peel(_Chunk(part, piece, offset), dialect, errors)


def _expand_commands(tokens: list[Token], source: str, dialect: Dialect) -> list[Token]:
    """Re-tokenize the text a command keyword swallowed (T-SQL `PRINT`, `END` after `;`).

    sqlglot keeps a command at the start of a statement as one keyword and the rest, up to the
    next semicolon, as raw text: without semicolons that text holds the statements that follow.
    """
    commands = {TokenType.COMMAND, *dialect.tokenizer_class.COMMANDS}
    out: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        out.append(token)
        index += 1
        if token.token_type not in commands or index >= len(tokens):
            continue
        rest = tokens[index]
        # the raw text's token sits at its end (trailing blanks included); find where it begins
        begin = source.rfind(rest.text, token.end + 1, rest.end + 1) if rest.text.strip() else -1
        if rest.token_type != TokenType.STRING or begin < 0:
            continue
        raw = rest.text
        try:
            inner = dialect.tokenize(raw)
        except TokenError:
            continue
        first_line = source.count("\n", 0, begin)
        first_col = begin - (source.rfind("\n", 0, begin) + 1)
        for sub in inner:
            if sub.line == 1:
                sub.col += first_col
            sub.line += first_line
            sub.start += begin
            sub.end += begin
        out.extend(_expand_commands(inner, source, dialect))
        index += 1
    return out


def _split_semicolons(tokens: list[Token]) -> list[list[Token]]:
    pieces: list[list[Token]] = [[]]
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            pieces.append([])
        else:
            pieces[-1].append(token)
    return [p for p in pieces if p]


def _word(token: Token) -> str:
    return token.text.upper() if token.token_type != TokenType.STRING else ""


def _peel(chunk: _Chunk, dialect: Dialect, errors: list[FileError]) -> Iterator[_Chunk]:
    """Strip procedural wrappers from the front of a chunk; yield what is left (if anything)."""
    tokens = chunk.tokens
    while tokens:
        first = tokens[0]
        word = _word(first)
        if (
            first.token_type == TokenType.COMMAND
            and len(tokens) == 2
            and tokens[1].token_type == TokenType.STRING
        ):
            # BigQuery scripting keeps `BEGIN`, `WHILE`, ... as a command with the rest as text
            if word not in {"BEGIN", "ELSEIF", "WHILE", "LOOP", "REPEAT", "IF", "FOR"}:
                return
            inner = tokens[1].text
            offset = chunk.line_offset + first.line - 1
            inner_tokens = _tokenize(inner, dialect, errors, offset)
            if not inner_tokens:
                return
            if word in _CONTROL_OPENERS:  # the condition runs up to THEN or DO
                closer = _CONTROL_OPENERS[word]
                index = next((i for i, t in enumerate(inner_tokens) if _word(t) == closer), None)
                if index is None:
                    return
                inner_tokens = inner_tokens[index + 1 :]
            for part in _split_semicolons(inner_tokens):
                yield from _peel(_Chunk(part, inner, offset), dialect, errors)
            return
        if word == "END":  # END, END IF, END LOOP, ...: the close of a block
            skip = 2 if len(tokens) > 1 and _word(tokens[1]) in _END_WORDS else 1
            tokens = tokens[skip:]
            continue
        if word in _CONTROL_OPENERS:
            closer = _CONTROL_OPENERS[word]
            index = next((i for i, t in enumerate(tokens) if _word(t) == closer), None)
            if index is None:
                return  # a bare condition (T-SQL IF is cut by `tsql`): nothing to trace
            tokens = tokens[index + 1 :]
            continue
        if word == "BEGIN":
            following = _word(tokens[1]) if len(tokens) > 1 else ""
            if following in _TRANSACTION_WORDS or len(tokens) == 1:
                return
            tokens = tokens[1:]
            continue
        if word in _CONTROL_WORDS:
            tokens = tokens[1:]
            continue
        if word in {"COMMIT", "ROLLBACK", "BREAK", "CONTINUE", "LEAVE", "ITERATE", "RETURN"}:
            return
        break
    if tokens:
        yield _Chunk(tokens, chunk.sql, chunk.line_offset)


def _is_values_insert(tokens: list[Token]) -> bool:
    """An INSERT whose body is a VALUES list (no SELECT anywhere): literals only, no lineage."""
    if not tokens or tokens[0].token_type not in {TokenType.INSERT, TokenType.REPLACE}:
        return False
    has_values = False
    for token in tokens:
        if token.token_type == TokenType.SELECT:
            return False
        if token.token_type == TokenType.VALUES:
            has_values = True
    return has_values
