"""Device identifiers and serial numbers (Safe Harbor (M)): the code after "serial", "S/N", "SN", "lot",
"pump #", "biomed tag", "asset tag", "IMEI". GS1 UDIs have their own recognizer (`udi`).

Hardware (MAC) addresses, six pairs of hex digits ("00:1B:44:11:3A:B7"), name one network interface
and so the patient's device (a pump, a glucose monitor, a phone). The colon form stands alone; the
dash form and Cisco's dotted form ("001b.4411.3ab7") need a context word ("MAC", "device"), since
runs of number pairs turn up elsewhere. The all-zero and broadcast placeholders are no identifier.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.detect.recognizers.labels import labelled
from workbench.kinds import IdentifierKind

_PAIR = "[0-9A-Fa-f]{2}"
_MAC_START = token_start("[0-9A-Fa-f]", r"[\w:.-]")
_MAC_END = r"(?![\w:-]|[.][0-9A-Fa-f])"


def _not_placeholder(separator: str) -> str:
    """Lookbehinds, checked after a whole address matched, that refuse the all-zero and broadcast ones."""
    if separator == ".":
        return r"(?<!0000\.0000\.0000)(?<!(?i:ffff\.ffff\.ffff))"
    return f"(?<!00{separator}00{separator}00{separator}00{separator}00{separator}00)" + (
        f"(?<!(?i:ff{separator}ff{separator}ff{separator}ff{separator}ff{separator}ff))"
    )


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
        Pattern(
            "mac_colon",
            _MAC_START + "[0-9A-Fa-f]" + (":" + _PAIR) * 5 + _not_placeholder(":") + _MAC_END,
            0.6,
        ),
        Pattern(
            "mac_dash", _MAC_START + "[0-9A-Fa-f]" + ("-" + _PAIR) * 5 + _not_placeholder("-") + _MAC_END, 0.2
        ),
        Pattern(
            "mac_dotted",
            _MAC_START + r"[0-9A-Fa-f]{3}(?:\.[0-9A-Fa-f]{4}){2}" + _not_placeholder(".") + _MAC_END,
            0.2,
        ),
    ),
    context=(
        "serial",
        "device",
        "implant",
        "pump",
        "pacemaker",
        "stimulator",
        "monitor",
        "lot",
        "biomed",
        "mac",
        "hardware",
        "ethernet",
        "wifi",
        "bluetooth",
    ),
)
