"""IP addresses: dotted IPv4 with every octet 0-255, and IPv6 as the standard library parses it."""

from __future__ import annotations

import ipaddress

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind


def reject(text: str) -> bool:
    """True when an octet exceeds 255 or has a leading zero, or the IPv6 text does not parse."""
    if ":" in text:
        try:
            ipaddress.IPv6Address(text)
        except ValueError:
            return True
        return sum(c not in ":." for c in text) < 4  # "::", "::1", "1::" are too short to identify anyone
    octets = text.split(".")
    return any(int(o) > 255 or (len(o) > 1 and o[0] == "0") for o in octets)


IP = Recognizer(
    name="ip",
    kind=IdentifierKind.IP,
    patterns=(
        Pattern(
            "ipv4",
            token_start("[0-9]", r"[\w.]") + r"[0-9]{0,2}\.(?:[0-9]{1,3}\.){2}[0-9]{1,3}(?![\w]|\.[0-9])",
            0.6,
        ),
        Pattern(
            "ipv6",
            token_start("[0-9A-Fa-f:]", r"[\w:.]")
            + r"[0-9A-Fa-f]{0,3}(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?<=:)(?:[0-9]{1,3}\.){3}[0-9]{1,3})?(?![\w:]|\.[0-9])",
            0.7,
        ),
    ),
    context=("ip", "ipv4", "ipv6", "address", "host", "client", "server", "login", "logged"),
    reject=reject,
)
