"""`workbench demo`: a headless tour of the governed path on the bundled synthetic hospital.

Runs in its own workspace, `$WORKBENCH_HOME/demo` (its own warehouse, keys and ledger), so it
never replaces data you loaded or touches your session: loads the data, runs the same queries as
two roles, prints what each role saw, and verifies the demo ledger.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

from workbench import access, audit
from workbench.errors import WorkbenchError
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
    """Run the tour in `$WORKBENCH_HOME/demo`; return 0, or 3 if the demo ledger fails verification."""
    show = (lambda _: None) if as_json else say
    settings = replace(settings, home=settings.home / "demo")
    settings.ensure_home()
    report = load_synthea_export(BUNDLED_HOSPITAL, settings)
    show(
        f"Demo workspace {settings.home} (your own data and session are untouched).\n"
        f"Loaded {len(report.tables)} tables ({sum(report.tables.values())} rows) from the synthetic hospital."
    )
    seen: dict[str, list[dict[str, object]]] = {}
    for user, role in ROLES:
        access.login(settings, user, role)
        show(f"\n=== as {user} (role {role}) ===")
        for title, sql in DEMO_QUERIES:
            try:
                result = run_query(sql, settings)
            except WorkbenchError as error:
                show(f"\n-- {title}\n   refused: {error.message}")
                seen.setdefault(role, []).append({"query": title, "refused": error.message})
                continue
            show(
                f"\n-- {title}  [ledger #{result.seq}]\n" + render_table(result.columns, result.rows, limit=5)
            )
            seen.setdefault(role, []).append({"query": title, **result.to_json()})
    access.logout(settings)
    verification = audit.verify_ledger(settings)
    state = "OK" if verification.ok else f"TAMPERED, {verification.finding()}"
    show(f"\nLedger: {state} ({verification.entries} entries)")
    if as_json:
        say(
            json.dumps(
                {"workspace": str(settings.home), "roles": seen, "ledger": verification.to_json()},
                default=str,
            )
        )
    return 0 if verification.ok else 3
