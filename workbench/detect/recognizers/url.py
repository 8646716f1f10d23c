"""Web addresses: with a scheme, starting with ``www.``, or a bare lower-case domain on a common TLD.

Bare domains are recognized only for a short list of top-level domains and only in lower case, so
abbreviations and codes with a dot ("SHIFT.PR", "e.g.", "file.txt") are not URLs.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind

_COMMON_TLDS = "com|org|net|edu|gov|mil|int|io|info|biz|health|us|uk|ca|de|fr|eu|ai|app|dev"
_PATH = r"""(?:/[^\s<>"'`]*)?"""
_NOT_TRAILING_PUNCTUATION = r"(?<![.,;:!?)\]])"

URL = Recognizer(
    name="url",
    kind=IdentifierKind.URL,
    patterns=(
        Pattern(
            "url_scheme",
            r"""(?:https?|HTTPS?|ftps?|FTPS?|sftp|SFTP)://[^\s<>"'`]+""" + _NOT_TRAILING_PUNCTUATION,
            0.7,
        ),
        Pattern(
            "url_www",
            r"(?:www|WWW)\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::[0-9]{2,5})?(?![\w-])"
            + _PATH
            + _NOT_TRAILING_PUNCTUATION,
            0.6,
        ),
        Pattern(
            "url_domain",
            token_start("[a-z0-9]", r"[\w.@/-]")
            + r"[a-z0-9-]*+(?:\.[a-z0-9-]++)*?\.(?:"
            + _COMMON_TLDS
            + r")(?::[0-9]{2,5})?(?![\w@-]|\.[a-z0-9])"
            + _PATH
            + _NOT_TRAILING_PUNCTUATION,
            0.5,
        ),
    ),
    context=("url", "website", "web", "site", "link", "homepage", "http", "https", "portal"),
)
