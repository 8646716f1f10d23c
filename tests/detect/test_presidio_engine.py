"""The workbench's recognizers inside presidio: the same declarations, the same findings."""

from __future__ import annotations

import pytest

pytest.importorskip("presidio_analyzer")

from workbench.detect.presidio_engine import analyzer, pattern_recognizers
from workbench.detect.scan import scan_text

TEXT = "Patient: Karol Kurc, MRN 8017347, SSN 999-17-5017, phone (508) 222-5200, VIN 1HGCM82633A004352."


def test_analyzer_reports_the_engines_findings_as_presidio_results() -> None:
    results = analyzer().analyze(TEXT, language="en")
    found = sorted((r.entity_type, TEXT[r.start : r.end]) for r in results)
    assert found == sorted(
        [
            ("NAME", "Karol Kurc"),
            ("MRN", "8017347"),
            ("SSN", "999-17-5017"),
            ("PHONE", "(508) 222-5200"),
            ("VEHICLE_ID", "1HGCM82633A004352"),
        ]
    )
    assert analyzer().analyze(TEXT, language="en", entities=["SSN"])[0].entity_type == "SSN"


# (text, recognizer name): presidio's pattern recognizer finds what ours finds, and rejects what ours rejects
ROWS = [
    ("SSN 999-17-5017", "ssn", "999-17-5017"),
    ("SSN 666-17-5017", "ssn", None),
    ("VIN 1HGCM82633A004352", "vin", "1HGCM82633A004352"),
    ("VIN 1HGCM82633A004353", "vin", None),
    ("email john.doe@example.com", "email", "john.doe@example.com"),
    ("DEA FF8163064", "dea", "FF8163064"),
    ("DEA FF8163065", "dea", None),
]


@pytest.mark.parametrize(("text", "name", "span"), ROWS)
def test_declarations_work_as_presidio_pattern_recognizers(text: str, name: str, span: str | None) -> None:
    (recognizer,) = [r for r in pattern_recognizers() if r.name == name]
    results = [r for r in recognizer.analyze(text, entities=recognizer.supported_entities) if r.score > 0]
    assert [text[r.start : r.end] for r in results] == ([span] if span else [])
    ours = [text[f.start : f.end] for f in scan_text(text) if f.recognizer == name]
    assert ours == ([span] if span else [])
