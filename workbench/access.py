"""Logging in and out: the identify step of the governed path, recorded in the ledger."""

from __future__ import annotations

from workbench import audit, session
from workbench.errors import NoSession, WorkbenchError
from workbench.policy import load_policy
from workbench.session import Principal
from workbench.settings import Settings


def login(settings: Settings, user: str, role: str, purpose: str | None = None) -> Principal:
    """Start a session for `user` in `role`; refused (and recorded) for unknown roles or purposes."""
    settings.ensure_home()
    detail: dict[str, object] = {"role_requested": role}
    attempted: str | None = None
    try:
        attempted = session.check_user_name(user)
        policy = load_policy(settings.policy_path)
        chosen = policy.purpose_for(policy.role(role), purpose)
        principal = session.new_principal(user, role, chosen, settings)
    except WorkbenchError as error:
        # A refused login ends any open session: nobody carries on under the previous user.
        previous = logout(settings)
        detail.update(error=type(error).__name__, reason=error.message, ended_session=previous is not None)
        if attempted is not None:
            detail["user_attempted"] = attempted
        outcome = "refused" if error.exit_code == 2 else "error"
        audit.record(settings, "login", outcome, detail)  # type: ignore[arg-type]
        raise
    detail["expires"] = principal.expires.isoformat()
    audit.record(settings, "login", "ok", detail, principal)
    session.save(principal, settings)
    return principal


def logout(settings: Settings) -> Principal | None:
    previous = session.clear(settings)
    if previous is not None:
        audit.record(settings, "logout", "ok", {}, previous)
    return previous


def whoami(settings: Settings) -> Principal:
    """The current principal; NoSession when there is none or it expired (automatic logoff)."""
    try:
        return session.current(settings)
    except NoSession:
        try:
            stale = session.peek(settings)
        except NoSession:
            raise
        session.clear(settings)
        audit.record(settings, "logout", "ok", {"reason": "expired"}, stale)
        raise
