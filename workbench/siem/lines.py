"""One event, one line: the characters that would break a line, and what each format does with them.

A receiver reads an export or a syslog stream line by line, so no format may emit a character that
some reader takes as a line end: LF and CR, but also VT, FF, the file/group/record separators
U+001C-U+001E, NEL U+0085 and the Unicode line and paragraph separators U+2028/U+2029 (everything
Python's `str.splitlines` splits on). Other control characters (NUL, ESC, DEL, C1) are as unwelcome
to a SIEM parser.

* JSON-based formats (json, ecs, ocsf, splunk-hec) escape them as ``\\uXXXX``: lossless. They also
  escape the bidirectional-override characters (U+202A-U+202E, U+2066-U+2069, ...), so a log viewer
  cannot be made to display a value reversed; JSON readers get the original text back.
* CEF escapes LF and CR as ``\\n`` and ``\\r`` in extension values (its only escapes besides ``\\\\``
  and ``\\=``); CEF headers and all of LEEF have no way to write them, so there each such character,
  and each other control character except TAB, is replaced by `SUBSTITUTE` (U+FFFD). So are the
  bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069,
  `BIDI_SUBSTITUTED`), which those formats cannot escape either: a viewer must not be able to show
  a CEF or LEEF value reversed.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Final

SUBSTITUTE: Final = "\ufffd"
"""What CEF headers and LEEF write instead of a character they cannot carry (documented in docs/siem.md)."""

LINE_BREAKS: Final = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
"""Every character `str.splitlines` treats as a line boundary."""

BIDI_CONTROLS: Final = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

BIDI_SUBSTITUTED: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""The bidi embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI): CEF
and LEEF write `SUBSTITUTE` for them. The marks (ALM, LRM, RLM) stay, as names in right-to-left
scripts legitimately hold them and they cannot reverse a run of text."""


def is_unsafe(char: str) -> bool:
    """True for a character CEF and LEEF never write raw: line breaks, controls other than TAB, and
    the bidi embeddings, overrides and isolates (`BIDI_SUBSTITUTED`)."""
    return (
        char in LINE_BREAKS
        or char in BIDI_SUBSTITUTED
        or (char != "\t" and unicodedata.category(char) == "Cc")
    )


def substitute_unsafe(text: str, also: str = "") -> str:
    """`text` with each unsafe character, and each character of `also`, replaced by `SUBSTITUTE`."""
    if not any(is_unsafe(c) or c in also for c in text):
        return text
    return "".join(SUBSTITUTE if is_unsafe(c) or c in also else c for c in text)


def _json_escape(char: str) -> str:
    return "".join(f"\\u{unit:04x}" for unit in _utf16_units(char))


def _utf16_units(char: str) -> tuple[int, ...]:
    data = char.encode("utf-16-be")
    return tuple(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))


_JSON_RAW_ESCAPES: Final = {
    ord(c): _json_escape(c)
    for c in sorted(LINE_BREAKS | BIDI_CONTROLS | {chr(0x7F)} | {chr(i) for i in range(0x80, 0xA0)})
    if ord(c) >= 0x20  # json.dumps already escapes everything below U+0020
}


def json_line(value: object) -> str:
    """`value` as compact JSON on one line: UTF-8 text kept, breaks, controls and bidi overrides escaped.

    The raw characters translated here can only occur inside JSON strings, where ``\\uXXXX`` is an
    exact spelling of them, so `json.loads` returns the original value.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_JSON_RAW_ESCAPES)
