"""The export formats: each turns a ledger entry or a checkpoint into exactly one line of text.

    line = format_event("cef", entry, Source.local())

One module per format; `FORMATS` is the registry the export, the shipper and the CLI use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple, get_args

from workbench.ledger import LedgerEntry
from workbench.siem.checkpoints import CheckpointRecord
from workbench.siem.events import IntegrityNotice, Source, StreamEvent
from workbench.siem.formats import cef, ecs, jsonl, leef, ocsf, splunk_hec

FormatName = Literal["json", "ecs", "cef", "leef", "leef2", "ocsf", "splunk-hec"]
FORMAT_NAMES: tuple[FormatName, ...] = get_args(FormatName)


class EventFormat(NamedTuple):
    """How one format writes an entry and a checkpoint (each a single line, no line terminator)."""

    entry: Callable[[LedgerEntry, Source], str]
    checkpoint: Callable[[CheckpointRecord, Source], str]
    notice: Callable[[IntegrityNotice, Source], str]


FORMATS: dict[FormatName, EventFormat] = {
    "json": EventFormat(jsonl.entry_line, jsonl.checkpoint_line, jsonl.notice_line),
    "ecs": EventFormat(ecs.entry_line, ecs.checkpoint_line, ecs.notice_line),
    "cef": EventFormat(cef.entry_line, cef.checkpoint_line, cef.notice_line),
    "leef": EventFormat(leef.entry_line_v1, leef.checkpoint_line_v1, leef.notice_line_v1),
    "leef2": EventFormat(leef.entry_line_v2, leef.checkpoint_line_v2, leef.notice_line_v2),
    "ocsf": EventFormat(ocsf.entry_line, ocsf.checkpoint_line, ocsf.notice_line),
    "splunk-hec": EventFormat(splunk_hec.entry_line, splunk_hec.checkpoint_line, splunk_hec.notice_line),
}


def format_event(name: FormatName, event: StreamEvent, source: Source) -> str:
    """`event` as one line of format `name`."""
    form = FORMATS[name]
    if isinstance(event, IntegrityNotice):
        return form.notice(event, source)
    if isinstance(event, CheckpointRecord):
        return form.checkpoint(event, source)
    return form.entry(event, source)
