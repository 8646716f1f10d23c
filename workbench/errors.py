"""The one exception tree of PHI Workbench.

Every message is one sentence that says what to do next, and never holds a PHI value:
messages name kinds, counts, tables and columns only.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base of every error the workbench raises on purpose; carries an exit code for the CLI."""

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(WorkbenchError):
    """The command or its arguments are malformed."""


class BadInput(WorkbenchError):
    """An input file, value or setting is not what the workbench can read."""


class UnknownTable(WorkbenchError):
    """A query or command names a table the warehouse does not have."""

    def __init__(self, table: str) -> None:
        # The name is not echoed: a mistyped "table" can be a value typed in the wrong place.
        super().__init__(
            "The query names a table that is not in the warehouse. Run `workbench columns` to list "
            "tables, or load data with `workbench load synthea DIR`."
        )
        self.table = table


class SqlError(WorkbenchError):
    """The SQL could not be parsed or the engine rejected it; the text is scrubbed of values."""


class EngineBusy(WorkbenchError):
    """The warehouse file stayed locked by another process for longer than the wait allows."""


class Refused(WorkbenchError):
    """Governance refused the operation (exit code 2)."""

    exit_code = 2


class NoSession(Refused):
    """No session, or it has expired."""


class AccessDenied(Refused):
    """The policy denies the principal access to a resource."""

    def __init__(self, reason: str, resource: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.resource = resource


class SqlRefused(Refused):
    """The statement is of a kind the governed path never runs (DDL, DML, file access, ...)."""

    def __init__(self, statement: str, why: str) -> None:
        super().__init__(f"Refused {statement}: {why}. Run one read-only SELECT over warehouse tables.")
        self.statement = statement
        self.why = why


class LedgerError(WorkbenchError):
    """The ledger could not be written or read; the audited operation fails closed."""


class LedgerTampered(WorkbenchError):
    """Verification found an entry that does not match the chain (exit code 3)."""

    exit_code = 3

    def __init__(self, seq: int, kind: str) -> None:
        super().__init__(
            f"Ledger integrity failure: {kind} at sequence {seq}. "
            "Preserve the workspace and report it to your privacy officer."
        )
        self.seq = seq
        self.kind = kind


class DeliveryFailed(WorkbenchError):
    """A SIEM receiver did not take a batch of audit events; `retry` says whether resending may succeed."""

    def __init__(self, message: str, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry
