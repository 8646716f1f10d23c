"""`workbench demo`: a headless tour of the governed path on the bundled synthetic hospital.

Loads the data, runs the same queries as two roles, prints what each role saw, and verifies the
ledger. The caller's own session, if any, is restored afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

from workbench import access, audit, session
from workbench.errors import NoSession, WorkbenchError
from workbench.governed.query import run_query
from workbench.loading import BUNDLED_HOSPITAL, load_synthea_export
from workbench.render import render_table
from workbench.settings import Settings

DEMO_QUERIES: tuple[tuple[str, str], ...] = (
    ("Who are the patients?", "SELECT FIRST, LAST, BIRTHDATE, ZIP, SSN FROM patients ORDER BY Id LIMIT 5"),
    (
        "Encounters per class (no PHI in the output)",
        "SELECT ENCOUNTERCLASS, count(*) AS n, round(avg(TOTAL_CLAIM_COST), 2) AS avg_cost "
        "FROM encounters GROUP BY 1 ORDER BY 2 DESC",
    ),
    (
        "A disguised probe: upper() of a name through a CTE, filtered on SSN",
        "WITH p AS (SELECT upper(FIRST) AS who, SSN AS s FROM patients) SELECT who FROM p WHERE s LIKE '999%' LIMIT 3",
    ),
    (
        "Joining encounters to patients",
        "SELECT p.Id, count(e.Id) AS visits FROM patients p JOIN encounters e ON e.PATIENT = p.Id "
        "GROUP BY p.Id ORDER BY visits DESC LIMIT 3",
    ),
)

ROLES = (("demo-researcher", "researcher"), ("demo-billing", "billing"))


def run_demo(settings: Settings, say: Callable[[str], object], as_json: bool = False) -> int:
    import json

    speak = say
    if as_json:

        def say(_: str) -> object:
            return None

    try:
        saved = session.peek(settings)
    except NoSession:
        saved = None
    report = load_synthea_export(BUNDLED_HOSPITAL, settings)
    say(
        f"Loaded {len(report.tables)} tables ({sum(report.tables.values())} rows) from the synthetic hospital."
    )
    seen: dict[str, list[dict[str, object]]] = {}
    try:
        for user, role in ROLES:
            access.login(settings, user, role)
            say(f"\n=== as {user} (role {role}) ===")
            for title, sql in DEMO_QUERIES:
                try:
                    result = run_query(sql, settings)
                except WorkbenchError as error:
                    say(f"\n-- {title}\n   refused: {error.message}")
                    seen.setdefault(role, []).append({"query": title, "refused": error.message})
                    continue
                say(
                    f"\n-- {title}  [ledger #{result.seq}]\n"
                    + render_table(result.columns, result.rows, limit=5)
                )
                seen.setdefault(role, []).append({"query": title, **result.to_json()})
        access.logout(settings)
    finally:
        if saved is not None and not saved.expired():
            session.save(saved, settings)
    verification = audit.verify_ledger(settings)
    say(
        f"\nLedger: {'OK' if verification.ok else 'TAMPERED'} "
        f"({verification.entries} entries{'' if verification.ok else f', first bad {verification.first_bad_seq}'})"
    )
    if as_json:
        speak(json.dumps({"roles": seen, "ledger": verification.to_json()}, default=str))
    return 0 if verification.ok else 3
