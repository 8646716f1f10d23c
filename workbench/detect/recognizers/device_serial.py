"""Device identifiers and serial numbers (Safe Harbor (M)): the code after "serial", "S/N", "SN", "lot",
"pump #", "biomed tag", "asset tag", "IMEI". GS1 UDIs have their own recognizer (`udi`).
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer
from workbench.detect.recognizers.labels import labelled
from workbench.kinds import IdentifierKind

DEVICE_SERIAL = Recognizer(
    name="device_serial",
    kind=IdentifierKind.DEVICE_ID,
    patterns=(
        Pattern(
            "serial_labelled",
            labelled(
                r"serial|s/n|sn|ser\.?[ ]no|lot/serial|lot|biomed[ ]tag|asset[ ]tag|imei|device[ ]id|udi"
                r"|(?:pump|device|monitor|pacemaker|stimulator|implant)[ ]?(?=#)",
                r"[A-Z0-9][A-Z0-9-]{3,24}",
            ),
            0.75,
            group="id",
            keywords=("serial", "s/n", "sn", "ser", "lot", "tag", "imei", "device", "udi", "#"),
        ),
    ),
    context=("serial", "device", "implant", "pump", "pacemaker", "stimulator", "monitor", "lot", "biomed"),
)
