"""The generalization rules of the Safe Harbor method (45 CFR 164.514(b)(2)), shared by SQL and text masking.

`workbench.governed.masks` applies them inside SQL, `workbench.detect.operators` to spans of text.
"""

from __future__ import annotations

import re

# 3-digit ZIP areas with 20,000 or fewer people (2000 Census, HHS de-identification guidance):
# Safe Harbor requires "000" for these.
RESTRICTED_ZIP3 = (
    "036", "059", "063", "102", "203", "556", "692", "790", "821",
    "823", "830", "831", "878", "879", "884", "890", "893",
)  # fmt: skip

AGE_TOP_CODE = 90  # ages from 90 up are reported as one category
AGE_TOP_LABEL = "90+"


def zip3(zip_code: str) -> str:
    """The first three digits of a ZIP code, or ``000`` for a restricted area or anything unreadable."""
    digits = re.sub(r"[^0-9]", "", zip_code)
    if len(digits) < 5 and not zip_code.strip().isdigit():
        return "000"
    area = digits.zfill(5)[:3]
    return "000" if area in RESTRICTED_ZIP3 else area


def top_coded_age(age: int) -> str:
    """``90+`` for 90 and above, else the age itself."""
    return AGE_TOP_LABEL if age >= AGE_TOP_CODE else str(age)
