"""Each HIPAA citation the README claims, mapped to the tests that show it.

`tests/test_requirements.py` checks this map against the README in both directions and checks
that every named test exists.
"""

from __future__ import annotations

REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "164.502(b)": (
        "tests/governed/test_bypass.py::test_disguised_reads_are_masked",
        "tests/governed/test_bypass.py::test_outside_access_and_writes_are_rejected",
        "tests/cli/test_cli.py::test_researcher_sees_no_names_birth_years_and_zip3",
        "tests/cli/test_cli.py::test_privacy_analyst_gets_the_policy_choice",
    ),
    "164.514(b)(2)": (
        "tests/governed/test_masks.py::test_presentations",
        "tests/governed/test_masks.py::test_every_restricted_zip3_becomes_000",
        "tests/detect/test_classify_synthea.py::test_patients_columns",
    ),
    "164.312(b)": (
        "tests/cli/test_cli.py::test_both_queries_are_in_the_ledger",
        "tests/ledger/test_chain.py::test_round_trip",
    ),
    "164.312(c)(1)": (
        "tests/cli/test_cli.py::test_tampering_is_named",
        "tests/cli/test_cli.py::test_reordering_rows_is_named",
    ),
    "164.312(a)(1)": (
        "tests/policy/test_policy.py::test_unknown_roles_are_denied",
        "tests/policy/test_policy.py::test_a_kind_missing_from_a_role_is_denied",
        "tests/cli/test_cli.py::test_exit_codes",
    ),
    "164.312(a)(2)(iii)": ("tests/test_session.py::test_expired_session_logs_off_automatically",),
    "164.402": (
        "tests/lineage/test_impact.py::test_breach_impact_of_the_patients_ssn",
        "tests/lineage/test_impact.py::test_a_flag_leads_back_to_the_diagnosis_code",
        "tests/lineage/test_impact.py::test_only_investigators_may_ask",
    ),
    "164.316(b)(2)(i)": (
        "tests/audit/test_retention.py::test_archive_writes_a_file_that_verifies_alone",
        "tests/siem/test_checkpoints.py::test_archives_end_at_a_checkpoint_and_verify_alone",
        "tests/siem/test_checkpoints.py::test_a_receiver_can_prove_the_export_complete",
    ),
}
