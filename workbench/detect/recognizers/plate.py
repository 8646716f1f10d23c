"""Licence plates (Safe Harbor (L), vehicle identifiers): the plate after "plate", "tag" or a registration label.

Plates have no check digit and every state its own layout (4TX 829, 7ABC123, 1KL-82), so only a label
makes one: "plate is 4TX 829", "(plate 0AG 723,", "registration for the parking pass: ABC-1234".
"""

from __future__ import annotations

import re

from workbench.detect.recognizer import Pattern, Recognizer
from workbench.kinds import IdentifierKind

_PLATE = r"(?P<id>[A-Z0-9]{1,4}[ -]?[A-Z0-9]{1,4})(?![\w-]|\.[A-Za-z0-9])"


def reject(text: str) -> bool:
    """True unless 4 to 8 characters holding both a letter and a digit."""
    characters = re.sub(r"[ -]", "", text)
    return not (
        4 <= len(characters) <= 8 and re.search("[0-9]", characters) and re.search("[A-Z]", characters)
    )


PLATE = Recognizer(
    name="plate",
    kind=IdentifierKind.VEHICLE_ID,
    patterns=(
        Pattern(
            "plate_labelled",
            r"(?<![\w-])(?i:plate|plates|tag|registration)(?:[ ](?i:number|no\.?|#))?(?:[ ](?i:is|was))?"
            r"(?:[ ](?i:for)[^:\n]{0,30})?[ ]*:?[ ]*" + _PLATE,
            0.7,
            group="id",
            keywords=("plate", "tag", "registration"),
        ),
    ),
    context=("plate", "vehicle", "car", "registration", "tag", "dmv", "parking", "placard"),
    reject=reject,
)
