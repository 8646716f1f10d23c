"""Regex pieces shared by the recognizers of labelled identifiers ("MRN: 4839201", "claim CLM-...").

A labelled identifier is the code after a label word: the label may be followed by "#", "no.",
"number" or "ID", a colon and "is"; the code is letters, digits and inner dashes with at least one
digit. Only the code is reported (the pattern's ``id`` group), not the label.
"""

from __future__ import annotations


def labelled(label: str, code: str = r"[A-Za-z0-9][A-Za-z0-9-]{2,24}") -> str:
    """Regex for `label` (case-insensitive) then a code in group ``id``; the code must hold a digit."""
    after = r"(?:[ ]?(?:#|no\.?|num(?:ber)?\.?|id|ID|number)(?![a-z]))?(?:[ ]?:)?(?:[ ]+(?:is|was|given[ ]as|of))?"
    return (
        r"(?<![\w-])(?i:" + label + r")" + after + r"[ ]*[:#]?[ ]*"
        r"(?P<id>(?=[A-Za-z-]*[0-9])" + code + r")(?![\w-]|\.[A-Za-z0-9])"
    )
