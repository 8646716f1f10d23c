"""A hand-written regression set of nursing-note lines: ALL CAPS, terse shorthand, people of many origins.

Written by hand, not by `data/synthetic/generate.py`, so that the recognizers are checked against the
way real notes read rather than the generator's templates. Every person, place and number here is
invented. Each row lists every identifier the line holds (kind and exact span) and nothing else:
a line with an empty list must give no finding at all, in either mode.
"""

from __future__ import annotations

import pytest

from workbench.detect.engine import MODES, detect_many
from workbench.kinds import IdentifierKind as K

NAME, GEO, DATE, PHONE, MRN, EMAIL = K.NAME, K.GEO, K.DATE, K.PHONE, K.MRN, K.EMAIL

LINES: list[tuple[str, list[tuple[str, K]]]] = [
    ("PT XIAO MING LI SEEN IN CLINIC", [("XIAO MING LI", NAME)]),
    ("HIS WIFE NGUYEN THI LAN CALLED, UPDATED ON POC", [("NGUYEN THI LAN", NAME)]),
    ("DTR OLUWASEUN AT BEDSIDE, TEARFUL. SUPPORT GIVEN.", [("OLUWASEUN", NAME)]),
    ("0700 REPORT FROM RN KOWALCZYK. PT RESTING.", [("KOWALCZYK", NAME)]),
    ("SON RAJESH PATEL VISITED, WILL RETURN IN AM", [("RAJESH PATEL", NAME)]),
    ("DR. OKONKWO AWARE OF K 3.1, ORDERS RECEIVED", [("OKONKWO", NAME)]),
    ("MD (DR FITZGERALD) PAGED RE: SBP 88/50", [("FITZGERALD", NAME)]),
    ("PT IS A 93 YO F FROM LAWRENCE, MA ADMITTED 3/14", [("93", DATE), ("LAWRENCE", GEO), ("3/14", DATE)]),
    ("ABG 7.32/48/76/24/-2 ON 40% FM. RT AWARE.", []),
    ("LASIX 40 IV GIVEN, COUMADIN HELD FOR INR 3.4", []),
    ("HX PARKINSON, ALZHEIMER DEMENTIA, HODGKIN LYMPHOMA 1998", []),
    (
        "NEPHEW TOMASZ WISNIEWSKI IS HCP, PHONE 617-555-0142",
        [("TOMASZ WISNIEWSKI", NAME), ("617-555-0142", PHONE)],
    ),
    (
        "PLAN D/C HOME 7/22 W/ VNA. F/U W/ PCP DR ABERNATHY-COLE 22-JUL",
        [("7/22", DATE), ("ABERNATHY-COLE", NAME), ("22-JUL", DATE)],
    ),
    (
        "LIVES AT 45 ELM ST APT 3, DORCHESTER MA 02124 WITH HUSBAND",
        [("45 ELM ST APT 3", GEO), ("DORCHESTER", GEO), ("02124", GEO)],
    ),
    ("MRN 00482913 VERIFIED WITH 2 IDENTIFIERS", [("00482913", MRN)]),
    ("SEEN ON THE 3RD BY NEURO, NO CHANGES.", [("3RD", DATE)]),
    ("SHIFT.PT TURNED Q2H, SKIN INTACT. NECESSARY.PT ASLEEP", []),
    ("BP 120/80 HR 72 RR 18 SAT 97% RA", []),
    ("DAUGHTER-IN-LAW GUADALUPE HERNANDEZ-RUIZ UPDATED BY PHONE", [("GUADALUPE HERNANDEZ-RUIZ", NAME)]),
    (
        "NOK: AMARA OKAFOR-BELLO (SISTER) 508-555-0199",
        [("AMARA OKAFOR-BELLO", NAME), ("508-555-0199", PHONE)],
    ),
    ("92 YO M W/ CHF, DNR/DNI PER HCP", [("92", DATE)]),
    ("WIFE REPORTS PT FELL AT HOME IN REVERE ON 12/2", [("REVERE", GEO), ("12/2", DATE)]),
    (
        "PT AGE 91, LIVES ALONE IN CHELSEA. SON FERNANDO CALLED.",
        [("91", DATE), ("CHELSEA", GEO), ("FERNANDO", NAME)],
    ),
    ("CHAPLAIN VISITED PER REQUEST OF PT'S GRANDDAUGHTER ANIKA", [("ANIKA", NAME)]),
    ("PT J.S. REFUSED AM MEDS, MD AWARE", [("J.S.", NAME)]),
    ("IV SITE CHANGED BY RN M. DUBOIS", [("M. DUBOIS", NAME)]),
    ("CALLED PHARMACY RE: HEPARIN GTT RATE, PER PROTOCOL", []),
    ("ID BAND CHECKED, DOB 4/5/1931 CONFIRMED", [("4/5/1931", DATE)]),
    ("EMAIL FROM DAUGHTER: LKOWALSKA@EXAMPLE.COM", [("LKOWALSKA@EXAMPLE.COM", EMAIL)]),
    ("ALERT AND ORIENTED X3, MAE, AMBULATING WITH WALKER", []),
    ("PT STATES HER NAME IS SVETLANA IVANOVA", [("SVETLANA IVANOVA", NAME)]),
    ("MOTHER MARIA DA SILVA AT BS OVERNIGHT", [("MARIA DA SILVA", NAME)]),
    ("F/U APPT 9/30 AT 1400 WITH DR. HASSAN", [("9/30", DATE), ("HASSAN", NAME)]),
    ("PT FROM SPRINGFIELD, IL VISITING FAMILY", [("SPRINGFIELD", GEO)]),
    ("TELEMETRY: NSR 70S, NO ECTOPY. TYLENOL 650 PO GIVEN FOR HA", []),
    ("PT'S BROTHER-IN-LAW KENJI TANAKA WILL PICK UP AT 1500", [("KENJI TANAKA", NAME)]),
]


@pytest.fixture(scope="module", params=MODES)
def found(request: pytest.FixtureRequest) -> list[list[tuple[str, K]]]:
    texts = [line for line, _expected in LINES]
    per_line = detect_many(texts, mode=request.param)
    return [
        [(text[f.start : f.end], f.kind) for f in findings]
        for text, findings in zip(texts, per_line, strict=True)
    ]


@pytest.mark.parametrize(("number", "line", "expected"), [(n, *row) for n, row in enumerate(LINES)])
def test_nursing_line(found: list[list[tuple[str, K]]], number: int, line: str, expected: list) -> None:
    assert found[number] == expected, line


def test_the_set_has_negative_lines_and_every_common_kind() -> None:
    assert sum(1 for _line, expected in LINES if not expected) >= 5
    assert {NAME, GEO, DATE, PHONE} <= {kind for _line, expected in LINES for _span, kind in expected}
