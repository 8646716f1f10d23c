"""Receivers' parsers, written from the specifications (not from our writers), for round-trip tests.

CEF: ArcSight "Implementing ArcSight CEF" -- header fields split on unescaped ``|`` (``\\|`` and
``\\\\`` escapes); extension ``key=value`` pairs where every ``=`` inside a value is escaped, so each
unescaped ``=`` ends a key; value escapes ``\\\\``, ``\\=``, ``\\n``, ``\\r``.
LEEF: IBM QRadar LEEF 1.0/2.0 -- ``LEEF:V|Vendor|Product|Version|EventID|`` (2.0 adds the delimiter
field, a character or ``0x``/``x`` hex), then ``key=value`` split on the delimiter (TAB for 1.0).
Syslog: RFC 5424 message syntax, RFC 6587 octet-counting framing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KEY_CHAR = re.compile(r"[A-Za-z0-9_.\[\]]")


@dataclass(frozen=True)
class Cef:
    version: str
    vendor: str
    product: str
    device_version: str
    signature: str
    name: str
    severity: str
    extension: dict[str, str]


def parse_cef(line: str) -> Cef:
    assert line.startswith("CEF:"), line[:20]
    fields: list[str] = []
    buf: list[str] = []
    i = 4
    while len(fields) < 7:
        c = line[i]
        if c == "\\" and i + 1 < len(line) and line[i + 1] in "|\\":
            buf.append(line[i + 1])
            i += 2
        elif c == "|":
            fields.append("".join(buf))
            buf = []
            i += 1
        else:
            buf.append(c)
            i += 1
    return Cef(*fields, extension=parse_cef_extension(line[i:]))  # type: ignore[misc]


def parse_cef_extension(text: str) -> dict[str, str]:
    # Positions of unescaped "=": each ends a key.
    separators = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "=":
            separators.append(i)
        i += 1
    keys = []  # (key start, "=" position)
    for eq in separators:
        start = eq
        while start > 0 and KEY_CHAR.match(text[start - 1]):
            start -= 1
        assert start < eq, f"empty key before position {eq}"
        assert start == 0 or text[start - 1] == " ", f"key not after a space at {start}"
        keys.append((start, eq))
    out: dict[str, str] = {}
    for n, (start, eq) in enumerate(keys):
        end = keys[n + 1][0] - 1 if n + 1 < len(keys) else len(text)  # one space separates pairs
        key = text[start:eq]
        assert key not in out, f"duplicate key {key}"
        out[key] = _cef_unescape(text[eq + 1 : end])
    return out


def _cef_unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append({"n": "\n", "r": "\r"}.get(nxt, nxt))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class Leef:
    version: str
    vendor: str
    product: str
    device_version: str
    event_id: str
    delimiter: str
    attributes: dict[str, str]


def parse_leef(line: str) -> Leef:
    assert line.startswith("LEEF:"), line[:20]
    parts = line.split("|")
    version = parts[0][len("LEEF:") :]
    if version == "1.0":
        vendor, product, device_version, event_id = parts[1:5]
        delimiter, rest = "\t", "|".join(parts[5:])
    elif version == "2.0":
        vendor, product, device_version, event_id, declared = parts[1:6]
        delimiter = _leef_delimiter(declared)
        rest = "|".join(parts[6:])
    else:
        raise AssertionError(f"unknown LEEF version {version}")
    attributes: dict[str, str] = {}
    for pair in rest.split(delimiter) if rest else []:
        key, sep, value = pair.partition("=")
        assert sep and key not in attributes, pair[:40]
        attributes[key] = value
    return Leef(version, vendor, product, device_version, event_id, delimiter, attributes)


def _leef_delimiter(declared: str) -> str:
    if len(declared) == 1:
        return declared
    digits = declared[2:] if declared.lower().startswith("0x") else declared[1:]
    assert declared[:1].lower() in "0x", declared
    return chr(int(digits, 16))


@dataclass(frozen=True)
class Syslog:
    pri: int
    version: str
    timestamp: str
    hostname: str
    app_name: str
    procid: str
    msgid: str
    structured_data: str
    message: str


def split_frames(data: bytes) -> list[bytes]:
    """RFC 6587 octet counting: ``LEN SP MSG`` repeated."""
    frames, i = [], 0
    while i < len(data):
        space = data.index(b" ", i)
        length = int(data[i:space])
        frames.append(data[space + 1 : space + 1 + length])
        i = space + 1 + length
    return frames


def parse_syslog(message: bytes) -> Syslog:
    text = message.decode("utf-8")
    match = re.match(r"<(\d{1,3})>(\d+) (\S+) (\S+) (\S+) (\S+) (\S+) ", text)
    assert match, text[:80]
    rest = text[match.end() :]
    if rest.startswith("-"):
        sd, rest = "-", rest[1:]
    else:
        i, depth, escaped = 0, 0, False
        while i < len(rest):
            c = rest[i]
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
                if depth == 0 and (i + 1 == len(rest) or rest[i + 1] != "["):
                    i += 1
                    break
            i += 1
        sd, rest = rest[:i], rest[i:]
    msg = rest[1:] if rest.startswith(" ") else rest
    return Syslog(int(match[1]), match[2], match[3], match[4], match[5], match[6], match[7], sd, msg)
