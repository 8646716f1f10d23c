"""``splunk-hec``: Splunk HTTP Event Collector event objects, one per line.

    {"time":1796306701.123456,"host":"…","source":"phi-workbench:ledger",
     "sourcetype":"phi_workbench:ledger","event":{…the json format's object…}}

`time` is epoch seconds with six decimals written as decimal text (never a rounded binary float).
A batch sent to ``/services/collector/event`` is these objects concatenated (separated by
newlines, which HEC accepts between objects).
"""

from __future__ import annotations

from typing import Final

from workbench.ledger import LedgerEntry
from workbench.siem.checkpoints import CheckpointRecord
from workbench.siem.events import IntegrityNotice, Source, StreamEvent, epoch_seconds_text, instant
from workbench.siem.formats.jsonl import checkpoint_object, entry_object, notice_object
from workbench.siem.lines import json_line

HEC_SOURCE: Final = "phi-workbench:ledger"
HEC_SOURCETYPE: Final = "phi_workbench:ledger"


def _line(event: StreamEvent, body: dict[str, object], source: Source) -> str:
    envelope = json_line(
        {"host": source.host, "source": HEC_SOURCE, "sourcetype": HEC_SOURCETYPE, "event": body}
    )
    # The time goes in as exact decimal text; json_line output always starts with "{".
    return '{"time":' + epoch_seconds_text(instant(event)) + "," + envelope[1:]


def entry_line(entry: LedgerEntry, source: Source) -> str:
    return _line(entry, entry_object(entry), source)


def checkpoint_line(checkpoint: CheckpointRecord, source: Source) -> str:
    return _line(checkpoint, checkpoint_object(checkpoint), source)


def notice_line(notice: IntegrityNotice, source: Source) -> str:
    return _line(notice, notice_object(notice), source)
