"""The scanning engine: ordering, overlaps, context, per-value scans and masking."""

from __future__ import annotations

import dataclasses
import itertools
import re
import subprocess
import sys
from collections import Counter

import pytest

from workbench.detect.finding import Finding
from workbench.detect.recognizer import NameRecognizer
from workbench.detect.recognizers import RECOGNIZERS
from workbench.detect.scan import VALUE_SEPARATOR, mask_text, mask_values, scan_text, scan_values
from workbench.kinds import IdentifierKind as K

NOTE = (
    "Pt seen 3/4/2021. BP 128/74. SSN 999-17-5017, phone (508) 222-5200, fax 508-222-5201. "
    "Email john.doe@example.com. Lives at 784 Stamm Lock Unit 46, ZIP 02155. Takes Loratadine 5 MG."
)


def test_findings_are_sorted_and_do_not_overlap() -> None:
    findings = scan_text(NOTE)
    assert [finding.kind for finding in findings] == [
        K.DATE,
        K.SSN,
        K.PHONE,
        K.FAX,
        K.EMAIL,
        K.GEO,
        K.GEO,
    ]
    for before, after in itertools.pairwise(findings):
        assert before.end <= after.start
    assert all(0.0 < finding.score <= 1.0 for finding in findings)


def test_finding_is_frozen_and_holds_no_text() -> None:
    finding = scan_text("SSN 999-17-5017")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.start = 0  # type: ignore[misc]
    assert [field.name for field in dataclasses.fields(Finding)] == [
        "kind",
        "start",
        "end",
        "score",
        "recognizer",
    ]
    assert "999" not in repr(finding)


@pytest.mark.parametrize(
    ("text", "context", "kind"),
    [
        ("5082225200", ["PHONE"], K.PHONE),
        ("5082225200", ["FAX_NUMBER"], K.FAX),
        ("02155", ["ZIP"], K.GEO),
        ("02155", ["PATIENT_ZIPCODE"], K.GEO),
        ("123456789", ["SSN"], K.SSN),
        ("1234567893", ["NPI"], K.LICENSE),
        ("123456789", ["PASSPORT"], K.LICENSE),
    ],
)
def test_caller_context_raises_scores(text: str, context: list[str], kind: K) -> None:
    assert scan_text(text) == []
    assert [finding.kind for finding in scan_text(text, context=context)] == [kind]


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("5082225200", ["ZIP"]),  # "ip" inside "zip" is not a context word
        ("02155", ["CODE"]),
        ("123456789", ["DIAGNOSIS1"]),
        ("1234567893", ["CODE"]),
        ("5082225200", ["HOTEL"]),
    ],
)
def test_unrelated_context_raises_nothing(text: str, context: list[str]) -> None:
    assert scan_text(text, context=context) == []


def test_nearest_label_decides_phone_or_fax() -> None:
    text = "Phone: 508-222-5200, Fax: 508-222-5201; Fax 508-222-5202 Phone 508-222-5203"
    assert [finding.kind for finding in scan_text(text)] == [K.PHONE, K.FAX, K.FAX, K.PHONE]


def test_scan_values_reports_offsets_per_value() -> None:
    values = ["999-17-5017", "none", "call 508-222-5200", "", "2023-01-27", "x" + VALUE_SEPARATOR + "y"]
    per_value = scan_values(values)
    assert len(per_value) == len(values)
    spans = [
        [(f.kind, value[f.start : f.end]) for f in found]
        for value, found in zip(values, per_value, strict=True)
    ]
    assert spans == [
        [(K.SSN, "999-17-5017")],
        [],
        [(K.PHONE, "508-222-5200")],
        [],
        [(K.DATE, "2023-01-27")],
        [],
    ]
    assert scan_values([]) == []


def test_context_does_not_cross_values() -> None:
    assert scan_values(["fax", "508-222-5200"])[1][0].kind == K.PHONE


@pytest.mark.parametrize(
    ("text", "kinds", "masked", "counts"),
    [
        ("SSN 999-17-5017, call 508-222-5200", {K.SSN}, "SSN [SSN], call 508-222-5200", {K.SSN: 1}),
        (
            "SSN 999-17-5017, call 508-222-5200",
            {K.SSN, K.PHONE},
            "SSN [SSN], call [PHONE]",
            {K.SSN: 1, K.PHONE: 1},
        ),
        ("on 2023-01-27 and 1/2/1980", {K.DATE}, "on [DATE] and [DATE]", {K.DATE: 2}),
        ("SSN 999-17-5017", set(), "SSN 999-17-5017", {}),
        ("SSN 999-17-5017", {K.EMAIL}, "SSN 999-17-5017", {}),
        ("BP 128/74 in 2019", {K.DATE, K.PHONE}, "BP 128/74 in 2019", {}),
        ("", {K.SSN}, "", {}),
    ],
)
def test_mask_text(text: str, kinds: set[K], masked: str, counts: dict[K, int]) -> None:
    assert mask_text(text, kinds) == (masked, Counter(counts))


def test_mask_values_masks_a_column_like_mask_text_masks_each_value() -> None:
    values = ["999-17-5017", "ok", "call 508-222-5200 or 508-222-5201", "", "5082225200"]
    kinds = {K.SSN, K.PHONE}
    masked, counts = mask_values(values, kinds)
    assert masked == [mask_text(value, kinds)[0] for value in values]
    assert counts == Counter({K.SSN: 1, K.PHONE: 2})
    masked, counts = mask_values(values, kinds, context=["PHONE"])
    assert masked[-1] == "[PHONE]" and counts[K.PHONE] == 3
    assert mask_values(values, set()) == (values, Counter())
    assert mask_values([], kinds) == ([], Counter())


def test_mask_text_refuses_a_bare_kind() -> None:
    with pytest.raises(TypeError):
        mask_text("SSN 999-17-5017", K.SSN)  # type: ignore[arg-type]


def test_mask_text_leaves_no_found_value_behind() -> None:
    masked, counts = mask_text(NOTE, set(K))
    assert sum(counts.values()) == len(scan_text(NOTE))
    for secret in ("999-17-5017", "222-5200", "222-5201", "john.doe", "Stamm", "02155", "3/4/2021"):
        assert secret not in masked
    assert "Loratadine 5 MG" in masked and "128/74" in masked


def test_recognizers_are_declarations_that_compile_with_plain_re() -> None:
    names = [recognizer.name for recognizer in RECOGNIZERS]
    assert len(names) == len(set(names))
    for recognizer in RECOGNIZERS:
        assert isinstance(recognizer.kind, K)
        if isinstance(recognizer, NameRecognizer):
            assert recognizer.titles and recognizer.relations and recognizer.credentials
            continue
        assert recognizer.patterns
        for pattern in recognizer.patterns:
            re.compile(pattern.regex, recognizer.flags)
            assert 0.0 < pattern.score <= 1.0


def test_fast_layer_does_not_import_presidio() -> None:
    code = (
        "import sys, workbench.detect.scan, workbench.detect.classify; "
        "print(sorted(m for m in sys.modules if m.startswith(('presidio', 'spacy'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_scan_is_linear_on_adversarial_input() -> None:
    # Long runs of the characters the patterns repeat must not backtrack catastrophically;
    # a quadratic pattern would take minutes here, a linear one milliseconds.
    for text in (
        "a" * 20000 + "@",
        "1" * 20000,
        "1." * 10000,
        ":" * 20000,
        "a:" * 10000,
        "Aa " * 7000,
        "-1" * 10000,
        "a." * 10000,
        "1/" * 10000,
        "Jan " * 5000,
        "http://" + "a" * 20000,
        "(01)" * 5000,
    ):
        scan_text(text)
