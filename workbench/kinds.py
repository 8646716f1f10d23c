"""The closed vocabularies every part of the workbench shares.

`IdentifierKind` has one member per Safe Harbor identifier of 45 CFR 164.514(b)(2)(i)(A)-(R);
the names are stable: they appear in policies, catalogs and ledger entries.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, get_args


class IdentifierKind(StrEnum):
    """One of the 18 Safe Harbor identifier families."""

    NAME = "NAME"  # (A) names
    GEO = "GEO"  # (B) geographic subdivisions smaller than a state, ZIP codes, geocodes
    DATE = "DATE"  # (C) date elements except year; ages over 89
    PHONE = "PHONE"  # (D)
    FAX = "FAX"  # (E)
    EMAIL = "EMAIL"  # (F)
    SSN = "SSN"  # (G)
    MRN = "MRN"  # (H) medical record numbers
    HEALTH_PLAN_ID = "HEALTH_PLAN_ID"  # (I) health plan beneficiary numbers
    ACCOUNT = "ACCOUNT"  # (J) account numbers
    LICENSE = "LICENSE"  # (K) certificate/license numbers
    VEHICLE_ID = "VEHICLE_ID"  # (L) vehicle identifiers and serial numbers, plates
    DEVICE_ID = "DEVICE_ID"  # (M) device identifiers and serial numbers
    URL = "URL"  # (N)
    IP = "IP"  # (O)
    BIOMETRIC = "BIOMETRIC"  # (P) finger and voice prints
    PHOTO = "PHOTO"  # (Q) full-face photographs and comparable images
    OTHER_ID = "OTHER_ID"  # (R) any other unique identifying number, characteristic or code

    def __str__(self) -> str:
        return self.value

    @property
    def token(self) -> str:
        """The masking token that replaces a value of this kind, e.g. ``[NAME]``."""
        return f"[{self.value}]"


class Purpose(StrEnum):
    """Purposes of use; every ledger entry records one."""

    TREATMENT = "treatment"
    PAYMENT = "payment"
    OPERATIONS = "operations"
    RESEARCH = "research"
    PUBLIC_HEALTH = "public_health"
    BREACH_INVESTIGATION = "breach_investigation"
    AUDIT = "audit"

    def __str__(self) -> str:
        return self.value


Action = Literal["allow", "mask", "hash", "generalize", "deny"]
ACTIONS: tuple[Action, ...] = get_args(Action)

# Stricter actions win when a column holds several kinds.
STRICTNESS: dict[Action, int] = {"allow": 0, "generalize": 1, "hash": 2, "mask": 3, "deny": 4}


def strictest(actions: list[Action]) -> Action:
    """The most restrictive of `actions`; deny when the list is empty is NOT implied (allow)."""
    return max(actions, key=STRICTNESS.__getitem__, default="allow")
