"""Who is acting: the `Principal`, and the session file the kernel and the CLI share.

A login writes `$WORKBENCH_HOME/session.json` (mode 0600). Every governed operation reads it,
so a login in the CLI is seen by the kernel and the other way round. A session expires after
`Settings.session_hours`; an expired session is treated as no session (automatic logoff).
"""

from __future__ import annotations

import getpass
import json
import os
import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from workbench.errors import BadInput, NoSession
from workbench.kinds import Purpose
from workbench.settings import Settings


@dataclass(frozen=True)
class Principal:
    """An authenticated person acting in a role for a purpose of use."""

    user: str
    role: str
    purpose: Purpose
    issued: datetime
    expires: datetime
    method: str = "local"

    def expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) >= self.expires

    def to_json(self) -> dict[str, str]:
        data = asdict(self)
        data["purpose"] = self.purpose.value
        data["issued"] = self.issued.isoformat()
        data["expires"] = self.expires.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Principal:
        return cls(
            user=data["user"],
            role=data["role"],
            purpose=Purpose(data["purpose"]),
            issued=datetime.fromisoformat(data["issued"]),
            expires=datetime.fromisoformat(data["expires"]),
            method=data.get("method", "local"),
        )


def os_user() -> str:
    """The operating-system account, for operations that need no session (loads)."""
    try:
        return "os:" + getpass.getuser()
    except (KeyError, OSError):
        return f"os:uid{os.getuid()}"


def check_user_name(user: str) -> str:
    """Accept any printable name (including `|`, `\\`, `=`); refuse empty names and control characters."""
    if not user or not user.strip():
        raise BadInput("User name is empty; pass --user NAME.")
    if len(user) > 256:
        raise BadInput("User name is longer than 256 characters; use a shorter --user.")
    for char in user:
        if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
            raise BadInput(
                f"User name holds a control or invisible character (U+{ord(char):04X}); use printable characters."
            )
    return user


def new_principal(user: str, role: str, purpose: Purpose, settings: Settings) -> Principal:
    issued = datetime.now(UTC)
    return Principal(
        user=check_user_name(user),
        role=role,
        purpose=purpose,
        issued=issued,
        expires=issued + timedelta(hours=settings.session_hours),
    )


def save(principal: Principal, settings: Settings) -> None:
    """Write the session file atomically with mode 0600."""
    settings.ensure_home()
    path = settings.session_path
    tmp = path.with_name(f".session.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(principal.to_json(), out, ensure_ascii=False)
    os.replace(tmp, path)


def clear(settings: Settings) -> Principal | None:
    """Remove the session file; return who was logged in, if anyone."""
    try:
        previous = peek(settings)
    except NoSession:
        previous = None
    settings.session_path.unlink(missing_ok=True)
    return previous


def peek(settings: Settings) -> Principal:
    """The stored principal, expired or not; NoSession if there is none or it is unreadable."""
    try:
        data = json.loads(settings.session_path.read_text(encoding="utf-8"))
        principal = Principal.from_json(data)
        check_user_name(principal.user)  # an edited session file must not carry control characters
        return principal
    except FileNotFoundError:
        raise NoSession("No session. Run `workbench login --user NAME --role ROLE` first.") from None
    except (ValueError, KeyError, TypeError, BadInput):
        raise NoSession(
            "The session file is damaged. Run `workbench login --user NAME --role ROLE` again."
        ) from None


def current(settings: Settings, now: datetime | None = None) -> Principal:
    """The logged-in principal; NoSession if none or expired (automatic logoff)."""
    principal = peek(settings)
    if principal.expired(now):
        raise NoSession("Your session has expired. Run `workbench login --user NAME --role ROLE` again.")
    return principal
