"""T-SQL batches: statements need no semicolon, `GO` ends a batch, and control flow has no END IF.

`split_batch` cuts a run of tokens (already cut at semicolons) where a new statement starts:

- `GO` ends a batch and is dropped;
- `IF <condition>` and `WHILE <condition>` are dropped up to the statement they guard (a condition
  ends where a statement keyword appears outside parentheses); `ELSE`, `BEGIN ... END` blocks,
  `BEGIN TRY/CATCH` and `BEGIN TRAN` are dropped, their statements kept;
- `CREATE/ALTER PROCEDURE|FUNCTION|TRIGGER ... AS` headers are dropped and the body is split;
- INSERT, UPDATE, DELETE, MERGE, CREATE, DROP, DECLARE, EXEC, SET, ... start a statement, unless
  they continue the current one (`WHEN MATCHED THEN UPDATE`, `ON DELETE CASCADE`, `INSERT ... EXEC`,
  `UPDATE ... SET`, a CTE's verb);
- SELECT starts a statement once the current one already has its query (`SELECT ... SELECT`,
  `INSERT ... SELECT ... SELECT`), or when the current statement takes no query (UPDATE, SET, ...).

`SET <option> ON|OFF` (also `SET IDENTITY_INSERT t ON`), `SET @v = ...` and `PRINT ...` are
complete statements: a DML keyword after `ON` then starts a new statement instead of continuing
the SET (`SET NOCOUNT ON` without a semicolon must not swallow the INSERT that follows).

The cut is lexical and conservative: a statement it splits wrongly fails to parse and is reported
for its line, while the rest of the file is still read.
"""

from __future__ import annotations

from sqlglot.tokens import Token, TokenType

_STARTERS = {
    "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "ALTER", "DROP", "TRUNCATE", "DECLARE", "EXEC",
    "EXECUTE", "SET", "USE", "PRINT", "RETURN", "THROW", "RAISERROR", "GRANT", "REVOKE", "DENY", "COMMIT",
    "ROLLBACK", "SAVE", "WAITFOR", "BREAK", "CONTINUE", "OPEN", "CLOSE", "FETCH", "DEALLOCATE", "SELECT",
    "WITH", "IF", "WHILE", "ELSE", "BEGIN", "END", "GO", "BULK",
}  # fmt: skip
_DML = {"INSERT", "UPDATE", "DELETE", "MERGE"}
# A DML keyword right after one of these continues the statement (MERGE ... THEN UPDATE, triggers,
# FOR UPDATE, ON DELETE CASCADE).
_DML_CONTINUES_AFTER = {"THEN", "FOR", "ON", "AFTER", "OF", "INSTEAD", ","}
_SET_OPERATORS = {"UNION", "ALL", "EXCEPT", "INTERSECT", "DISTINCT"}
_ROUTINES = {"PROCEDURE", "PROC", "FUNCTION", "TRIGGER"}
_DROPPED = {"COMMIT", "ROLLBACK", "SAVE", "PRINT", "RETURN", "BREAK", "CONTINUE", "THROW", "RAISERROR",
            "WAITFOR", "OPEN", "CLOSE", "FETCH", "DEALLOCATE", "GO"}  # fmt: skip
# Statements whose verb takes no query body: a SELECT after them starts a new statement.
_NO_QUERY = {"UPDATE", "DELETE", "DECLARE", "SET", "EXEC", "EXECUTE", "DROP", "TRUNCATE", "USE", "GRANT",
             "REVOKE", "DENY", "ALTER", "BULK", "PRINT", "RAISERROR", "THROW", "WAITFOR"}  # fmt: skip


def _word(token: Token) -> str:
    if token.token_type in {TokenType.STRING, TokenType.NATIONAL_STRING, TokenType.IDENTIFIER}:
        return ""
    return token.text.upper()


class _Splitter:
    def __init__(self) -> None:
        self.statements: list[list[Token]] = []
        self.current: list[Token] = []
        self.verb = ""  # the statement's leading keyword
        self.body = False  # the statement already has its query (SELECT/VALUES/EXEC)
        self.with_pending = False  # WITH seen, CTE verb not yet
        self.header = False  # inside a CREATE PROCEDURE/FUNCTION/TRIGGER header
        self.condition = False  # inside an IF/WHILE condition (dropped)
        self.complete = False  # `SET <option> ON|OFF`: nothing more belongs to the statement
        self.dropped = 0  # statements dropped (control flow, PRINT, routine headers, ...)

    def flush(self) -> None:
        if self.current and not self.condition and self.verb not in _DROPPED:
            self.statements.append(self.current)
        elif self.current and self.verb != "GO":
            self.dropped += 1
        self.current, self.verb, self.body, self.with_pending = [], "", False, False
        self.header = self.condition = self.complete = False

    def append(self, token: Token, word: str, at_top: bool) -> None:
        self.current.append(token)
        if at_top and self.verb == "SET" and word in {"ON", "OFF"} and not _sets_variable(self.current):
            self.complete = True

    def start(self, token: Token, word: str) -> None:
        self.flush()
        self.current = [token]
        self.verb = word
        self.with_pending = word == "WITH"
        if word == "SELECT":
            self.body = True

    def previous(self) -> str:
        return _word(self.current[-1]) if self.current else ""

    def starts_statement(self, word: str, following: str) -> bool:
        """Whether `word` (outside parentheses and CASE) begins a new statement here."""
        if not self.current or self.condition or self.complete:
            return word in _STARTERS
        previous = self.previous()
        if word in {"IF", "WHILE", "ELSE", "BEGIN", "END", "GO"}:
            return not (word == "IF" and previous in {"TABLE", "VIEW", "PROCEDURE", "PROC", "FUNCTION",
                                                       "INDEX", "SCHEMA", "TRIGGER", "SEQUENCE", "TYPE",
                                                       "DATABASE", "SYNONYM", "NOT", "EXISTS", "USER"})  # fmt: skip
        if self.with_pending and word in {"SELECT", *_DML}:
            return False
        if word in _DML:
            if previous in _DML_CONTINUES_AFTER:
                return False
            return not (word == "UPDATE" and self.verb == "MERGE")
        if word in {"EXEC", "EXECUTE"}:
            return not (self.verb == "INSERT" and not self.body)
        if word == "SET":
            return self.verb not in {"UPDATE", "MERGE", "ALTER", "CREATE"} and previous not in {
                "UPDATE",
                "DELETE",
            }
        if word == "SELECT":
            if previous in _SET_OPERATORS or previous == "FOR":
                return False
            if self.verb in _NO_QUERY:
                return True
            if self.verb == "CREATE":
                return self.body or previous != "AS"
            return self.body
        if word == "WITH":
            return following != "(" and previous not in {"AS", "("}
        return word in _STARTERS


def split_batch_counted(tokens: list[Token]) -> tuple[list[list[Token]], int]:
    """The statements in `tokens` and how many statements were dropped (they carry no lineage)."""
    splitter = _Splitter()
    depth = 0
    case_depth = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        word = _word(token)
        following = tokens[index + 1].text.upper() if index + 1 < len(tokens) else ""
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth = max(0, depth - 1)
        if word == "CASE":
            case_depth += 1
        elif word == "END" and case_depth > 0:
            case_depth -= 1
            splitter.current.append(token)
            index += 1
            continue
        at_top = depth == 0 and case_depth == 0 and token.token_type not in {TokenType.L_PAREN}
        if splitter.header:
            if at_top and word == "AS":
                splitter.current = []
                splitter.flush()
                splitter.dropped += 1  # the routine header
            else:
                splitter.current.append(token)
            index += 1
            continue
        if at_top and splitter.starts_statement(word, following):
            if word in {"GO", "ELSE", "END"}:
                splitter.flush()
                skip = 2 if word == "END" and following in {"TRY", "CATCH"} else 1
                index += skip
                continue
            if word == "BEGIN":
                splitter.flush()
                if following in {"TRAN", "TRANSACTION", "DISTRIBUTED"}:
                    splitter.verb = "COMMIT"  # dropped like a transaction control statement
                    splitter.current = [token]
                    index += 1
                    continue
                index += 2 if following in {"TRY", "CATCH"} else 1
                continue
            if word in {"IF", "WHILE"}:
                splitter.flush()
                splitter.condition = True
                splitter.current = [token]
                index += 1
                continue
            if word in _STARTERS:
                splitter.start(token, word)
                if word in {"CREATE", "ALTER"}:
                    routine = _routine_header(tokens, index)
                    if routine:
                        splitter.header = True
                index += 1
                continue
        if at_top and word in {"SELECT", "VALUES"} and splitter.current:
            if splitter.with_pending:
                splitter.with_pending = False
            splitter.body = True
        elif at_top and word in _DML and splitter.with_pending:
            splitter.with_pending = False
            splitter.verb = word
        elif at_top and word == "WITH" and following != "(":
            splitter.with_pending = True
        elif at_top and word in {"EXEC", "EXECUTE"} and splitter.verb == "INSERT":
            splitter.body = True
        if not splitter.current:
            splitter.verb = word
        splitter.append(token, word, at_top)
        index += 1
    splitter.flush()
    return splitter.statements, splitter.dropped


def split_batch(tokens: list[Token]) -> list[list[Token]]:
    """The statements in `tokens` (one semicolon-free run of a T-SQL batch)."""
    return split_batch_counted(tokens)[0]


def _sets_variable(current: list[Token]) -> bool:
    """`SET @v = ...`: an assignment, whose value may hold ON (a CASE, a join) and continues."""
    return len(current) > 1 and (
        current[1].token_type == TokenType.PARAMETER or current[1].text.startswith("@")
    )


def _routine_header(tokens: list[Token], index: int) -> bool:
    """True when CREATE/ALTER at `index` opens a procedure, function or trigger definition."""
    for token in tokens[index + 1 : index + 4]:
        word = _word(token)
        if word in _ROUTINES:
            return True
        if word not in {"OR", "ALTER"}:
            return False
    return False
