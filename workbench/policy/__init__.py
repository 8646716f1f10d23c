"""The access policy: role x identifier kind -> action, read from TOML.

The package ships `default.toml`; `$WORKBENCH_HOME/policy.toml` replaces it whole. Deny by
default: an unknown role is refused at login, and a kind a role does not list is denied.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from workbench.errors import AccessDenied, BadInput
from workbench.kinds import ACTIONS, Action, IdentifierKind, Purpose, strictest


@dataclass(frozen=True)
class Role:
    """What one role may see, and for which purposes."""

    name: str
    description: str
    default_purpose: Purpose
    purposes: tuple[Purpose, ...]
    actions: Mapping[IdentifierKind, Action]

    def action_for(self, kinds: Iterable[IdentifierKind]) -> Action:
        """The strictest action over `kinds`; a kind the role does not list is denied."""
        return strictest([self.actions.get(kind, "deny") for kind in kinds])


@dataclass(frozen=True)
class Policy:
    roles: Mapping[str, Role]
    source: str

    def role(self, name: str) -> Role:
        try:
            return self.roles[name]
        except KeyError:
            known = ", ".join(sorted(self.roles))
            raise AccessDenied(
                f"Unknown role {name!r}; use one of: {known}.", resource=f"role:{name}"
            ) from None

    def purpose_for(self, role: Role, purpose: str | None) -> Purpose:
        """The purpose of use for a login or query: the role's default, or one it allows."""
        if purpose is None:
            return role.default_purpose
        try:
            chosen = Purpose(purpose)
        except ValueError:
            known = ", ".join(p.value for p in Purpose)
            raise BadInput(f"Unknown purpose {purpose!r}; use one of: {known}.") from None
        if chosen not in role.purposes:
            allowed = ", ".join(p.value for p in role.purposes)
            raise AccessDenied(
                f"Role {role.name!r} may not act for purpose {chosen.value!r}; allowed: {allowed}.",
                resource=f"purpose:{chosen.value}",
            )
        return chosen


def _parse_role(name: str, body: Mapping[str, object], source: str) -> Role:
    def fail(what: str) -> BadInput:
        return BadInput(f"Policy {source}: role {name!r} {what}; fix the policy file.")

    kinds_table = body.get("kinds", {})
    if not isinstance(kinds_table, dict):
        raise fail("has a 'kinds' entry that is not a table")
    actions: dict[IdentifierKind, Action] = {}
    for kind_name, action in kinds_table.items():
        try:
            kind = IdentifierKind(kind_name)
        except ValueError:
            raise fail(f"names unknown kind {kind_name!r}") from None
        if action not in ACTIONS:
            raise fail(f"gives {kind_name} the unknown action {action!r} (use one of {', '.join(ACTIONS)})")
        actions[kind] = action
    try:
        purposes = tuple(Purpose(p) for p in body.get("purposes", ()))  # type: ignore[attr-defined]
        default = Purpose(str(body.get("default_purpose", "")))
    except ValueError as exc:
        raise fail(f"names an unknown purpose ({exc})") from None
    if default not in purposes:
        purposes = (default, *purposes)
    return Role(
        name=name,
        description=str(body.get("description", "")),
        default_purpose=default,
        purposes=purposes,
        actions=actions,
    )


def parse_policy(text: str, source: str) -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"Policy {source} is not valid TOML ({exc}); fix the file.") from None
    roles_table = data.get("roles", {})
    if not isinstance(roles_table, dict):
        raise BadInput(f"Policy {source}: 'roles' must be a table; fix the file.")
    roles = {name: _parse_role(name, body, source) for name, body in roles_table.items()}
    return Policy(roles=roles, source=source)


def load_policy(override: Path | None = None) -> Policy:
    """The workspace policy if `override` exists, else the packaged default (re-read on change)."""
    if override is not None:
        try:
            stat = override.stat()
        except FileNotFoundError:
            pass
        else:
            return _parse_file(override, stat.st_mtime_ns, stat.st_size, stat.st_ino)
    return _default_policy()


@lru_cache(maxsize=8)
def _parse_file(path: Path, mtime_ns: int, size: int, inode: int) -> Policy:
    return parse_policy(path.read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def _default_policy() -> Policy:
    text = resources.files("workbench.policy").joinpath("default.toml").read_text(encoding="utf-8")
    return parse_policy(text, "default policy")
