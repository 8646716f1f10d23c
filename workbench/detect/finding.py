"""The small frozen type that joins detection to action: one span of text that holds an identifier."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.kinds import IdentifierKind


@dataclass(frozen=True)
class Finding:
    """An identifier of `kind` at ``text[start:end]``, found by `recognizer` with `score` in 0..1.

    A finding never carries the matched text: callers that hold the text slice it themselves, and
    nothing downstream (logs, ledger, evidence) can leak a value by printing a finding.
    """

    kind: IdentifierKind
    start: int
    end: int
    score: float
    recognizer: str
