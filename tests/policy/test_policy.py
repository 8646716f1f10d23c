"""The policy as a table: role x kind -> action, with rows that must be denied."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import AccessDenied, BadInput
from workbench.kinds import IdentifierKind as K
from workbench.kinds import Purpose
from workbench.policy import load_policy, parse_policy

DEFAULT = load_policy(None)

ROWS = [
    # role, kinds, expected action
    ("researcher", [K.NAME], "mask"),
    ("researcher", [K.SSN], "mask"),
    ("researcher", [K.OTHER_ID], "hash"),
    ("researcher", [K.DATE], "generalize"),
    ("researcher", [K.GEO], "generalize"),
    ("researcher", [K.GEO, K.NAME], "mask"),
    ("billing", [K.NAME], "allow"),
    ("billing", [K.ACCOUNT], "allow"),
    ("billing", [K.HEALTH_PLAN_ID], "allow"),
    ("billing", [K.DATE], "allow"),
    ("billing", [K.GEO], "allow"),
    ("billing", [K.SSN], "mask"),
    ("billing", [K.NAME, K.SSN], "mask"),
    ("privacy_analyst", [K.NAME], "hash"),
    ("privacy_analyst", [K.SSN], "hash"),
    ("privacy_analyst", [K.DATE], "allow"),
    ("privacy_analyst", [K.GEO], "generalize"),
    ("break_glass", [K.SSN], "allow"),
    ("break_glass", list(K), "allow"),
    ("researcher", [], "allow"),  # a column holding no identifier
]


@pytest.mark.parametrize(("role", "kinds", "expected"), ROWS)
def test_default_policy(role: str, kinds: list[K], expected: str) -> None:
    assert DEFAULT.role(role).action_for(kinds) == expected


@pytest.mark.parametrize("role", ["researcher", "billing", "privacy_analyst", "break_glass"])
def test_every_default_role_lists_every_kind(role: str) -> None:
    assert set(DEFAULT.role(role).actions) == set(K)


DENIED_ROLES = ["", "admin", "Researcher", "researcher ", "root", "break-glass"]


@pytest.mark.parametrize("name", DENIED_ROLES)
def test_unknown_roles_are_denied(name: str) -> None:
    with pytest.raises(AccessDenied):
        DEFAULT.role(name)


def test_a_kind_missing_from_a_role_is_denied() -> None:
    policy = parse_policy(
        '[roles.nurse]\ndefault_purpose = "treatment"\n[roles.nurse.kinds]\nNAME = "allow"\n', "test"
    )
    nurse = policy.role("nurse")
    assert nurse.action_for([K.NAME]) == "allow"
    assert nurse.action_for([K.SSN]) == "deny"
    assert nurse.action_for([K.NAME, K.DATE]) == "deny"


def test_empty_policy_grants_nothing() -> None:
    with pytest.raises(AccessDenied):
        parse_policy("", "empty").role("researcher")


PURPOSES = [
    ("researcher", None, Purpose.RESEARCH),
    ("researcher", "public_health", Purpose.PUBLIC_HEALTH),
    ("billing", None, Purpose.PAYMENT),
    ("privacy_analyst", "breach_investigation", Purpose.BREACH_INVESTIGATION),
]


@pytest.mark.parametrize(("role", "purpose", "expected"), PURPOSES)
def test_purposes(role: str, purpose: str | None, expected: Purpose) -> None:
    assert DEFAULT.purpose_for(DEFAULT.role(role), purpose) == expected


@pytest.mark.parametrize(("role", "purpose"), [("researcher", "treatment"), ("billing", "research")])
def test_purposes_a_role_may_not_use_are_denied(role: str, purpose: str) -> None:
    with pytest.raises(AccessDenied):
        DEFAULT.purpose_for(DEFAULT.role(role), purpose)


BAD_POLICIES = [
    ("[roles.x]\ndefault_purpose = 'research'\n[roles.x.kinds]\nNAMES = 'allow'\n", "unknown kind"),
    ("[roles.x]\ndefault_purpose = 'research'\n[roles.x.kinds]\nNAME = 'show'\n", "unknown action"),
    ("[roles.x]\ndefault_purpose = 'fun'\n", "unknown purpose"),
    ("roles = 3\n", "roles must be a table"),
    ("[roles.x\n", "not valid TOML"),
]


@pytest.mark.parametrize(("text", "why"), BAD_POLICIES)
def test_bad_policy_files_are_one_line_errors(text: str, why: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_policy(text, "policy.toml")
    assert "\n" not in str(caught.value)


def test_workspace_policy_overrides_the_default(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[roles.auditor]\ndefault_purpose = "audit"\n[roles.auditor.kinds]\nNAME = "deny"\n')
    policy = load_policy(path)
    assert set(policy.roles) == {"auditor"}
    assert policy.role("auditor").action_for([K.NAME]) == "deny"
