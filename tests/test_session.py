"""Sessions: shared file, user-name rules, automatic logoff at expiry."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from workbench import access, audit, session
from workbench.errors import BadInput, NoSession
from workbench.settings import Settings


def test_expired_session_logs_off_automatically(settings: Settings) -> None:
    principal = access.login(settings, "ana", "researcher")
    expired = session.Principal(
        user=principal.user,
        role=principal.role,
        purpose=principal.purpose,
        issued=principal.issued - timedelta(hours=9),
        expires=datetime.now(UTC) - timedelta(seconds=1),
    )
    session.save(expired, settings)
    with pytest.raises(NoSession, match="expired"):
        access.whoami(settings)
    assert not settings.session_path.exists()
    with sqlite3.connect(settings.ledger_path) as db:
        last = db.execute("SELECT action, actor, detail FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
    assert last[0] == "logout" and last[1] == "ana" and json.loads(last[2]) == {"reason": "expired"}


def test_session_file_is_private(settings: Settings) -> None:
    access.login(settings, "ana", "researcher")
    audit.value_key(settings)
    assert os.stat(settings.session_path).st_mode & 0o777 == 0o600
    assert os.stat(settings.secret_path).st_mode & 0o777 == 0o600


REFUSED_NAMES = [
    "",
    "   ",
    "a\tb",
    "a\nb",
    "a\rb",
    "nul\x00",
    "bell\x07",
    "rtl\u202eoverride",
    "line\u2028sep",
    "x" * 300,
]


@pytest.mark.parametrize("name", REFUSED_NAMES)
def test_control_characters_in_user_names_are_refused(name: str) -> None:
    with pytest.raises(BadInput):
        session.check_user_name(name)


@pytest.mark.parametrize("name", ["ana", "a|b", "c\\d", "k=v", "Zoë", "名前", "O'Brien", "CEF:0|x|y|"])
def test_printable_user_names_are_accepted(name: str) -> None:
    assert session.check_user_name(name) == name


def test_damaged_session_file_is_no_session(settings: Settings) -> None:
    settings.ensure_home()
    settings.session_path.write_text("{not json")
    with pytest.raises(NoSession, match="damaged"):
        session.current(settings)
