"""Health plan beneficiary numbers (Safe Harbor (I)): member, subscriber, policy and Medicaid ids.

Medicare's MBI has its own recognizer (`mbi`). Here: the code after a plan label ("member ID",
"Medicaid #", "policy number"), and the common commercial shape of a three-letter prefix and nine
digits (e.g. XQH123456789), which needs a plan word nearby ("coverage", "insurance", "ID").
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.detect.recognizers.labels import labelled
from workbench.kinds import IdentifierKind

HEALTH_PLAN = Recognizer(
    name="health_plan",
    kind=IdentifierKind.HEALTH_PLAN_ID,
    patterns=(
        Pattern(
            "plan_labelled",
            labelled(
                r"member|subscriber|policy|policy[ ]holder|medicaid|medicare|masshealth|beneficiary"
                r"|insurance|insured|health[ ]plan|group|coverage"
            ),
            0.75,
            group="id",
            keywords=(
                "member",
                "subscriber",
                "policy",
                "medicaid",
                "medicare",
                "masshealth",
                "beneficiary",
                "insur",
                "health plan",
                "group",
                "coverage",
            ),
        ),
        Pattern("plan_prefix_9", token_start("[A-Z]", r"[\w-]") + r"[A-Z]{2}[0-9]{9}(?![\w-])", 0.25),
        Pattern("plan_digits", token_start("[0-9]", r"[\w.,$/-]") + r"[0-9]{8,13}(?![\w/-]|[.,][0-9])", 0.1),
    ),
    context=(
        "member",
        "subscriber",
        "policy",
        "medicaid",
        "medicare",
        "masshealth",
        "insurance",
        "insurer",
        "plan",
        "coverage",
        "payer",
        "beneficiary",
        "card",
        "id",
        "shield",
        "cigna",
        "aetna",
        "humana",
        "unitedhealthcare",
    ),
)
