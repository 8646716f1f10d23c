"""The detection engine: both modes, odd and long input, chunk offsets, and what fast mode never imports."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys

import pytest

from workbench.detect.engine import MODES, chunks, clean, detect, detect_many
from workbench.detect.finding import Finding
from workbench.kinds import IdentifierKind as K

NOTE = (
    "PT IS A 92 YO F ADMITTED 7/22 FROM DAISYHAVEN. MRN 5953396.\n"
    "SOCIAL: HER HUSBAND KHOA AT BEDSIDE. HIS CELL 857.836.6666.\n"
    "F/U 29-SEP W/ DR JAJE. INFUSION PUMP SN 8F4758166.\n"
    "Seen by Dr. Okafor; UDI (01)10867387657930(21)83161760. Plate is 4TX 829.\n"
)
EXPECTED = [
    ("92", K.DATE),
    ("7/22", K.DATE),
    ("DAISYHAVEN", K.GEO),
    ("5953396", K.MRN),
    ("KHOA", K.NAME),
    ("857.836.6666", K.PHONE),
    ("29-SEP", K.DATE),
    ("JAJE", K.NAME),
    ("8F4758166", K.DEVICE_ID),
    ("Okafor", K.NAME),
    ("(01)10867387657930(21)83161760", K.DEVICE_ID),
    ("4TX 829", K.VEHICLE_ID),
]


def _spans(text: str, findings: list[Finding]) -> list[tuple[str, K]]:
    return [(text[f.start : f.end], f.kind) for f in findings]


@pytest.mark.parametrize("mode", MODES)
def test_both_modes_find_a_notes_identifiers(mode: str) -> None:
    findings = detect(NOTE, mode=mode)  # type: ignore[arg-type]
    assert _spans(NOTE, findings) == EXPECTED
    assert all(0.0 < f.score <= 1.0 for f in findings)
    assert [f.start for f in findings] == sorted(f.start for f in findings)


# Names and places the dictionaries do not know and no title, relation, label or preposition pattern
# introduces: NER's to find (a rare word that English knows, like "Tegucigalpa", is still sent to it).
@pytest.mark.parametrize(
    ("text", "span", "kind"),
    [
        ("States Oreofe was rear-ended on the highway.", "Oreofe", K.NAME),
        ("She flew in from Tegucigalpa last week.", "Tegucigalpa", K.GEO),
    ],
)
def test_default_mode_adds_what_only_ner_knows(text: str, span: str, kind: K) -> None:
    assert (span, kind) in _spans(text, detect(text))
    assert (span, kind) not in _spans(text, detect(text, mode="fast"))


# spaCy calls drugs and eponyms PERSON and puts shorthand before names; its hits are checked and trimmed.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lasix given, Coumadin held; Heparin gtt running. Hx Parkinson, Alzheimer, Hodgkin.", []),
        ("Started on Eliquis and Xarelto per Cardiology; Zosyn continued.", []),
        ("MRN: 8291828    DOB: 09/06/1979 ACCESSION: RAD24-232881    DATE: 03/04/2024", []),
        ("DTR OLUWASEUN AT BEDSIDE, TEARFUL.", [("OLUWASEUN", K.NAME)]),
        ("Met with Zbigniew Brzezinski today about discharge.", [("Zbigniew Brzezinski", K.NAME)]),
    ],
)
def test_ner_hits_are_checked_against_clinical_words(text: str, expected: list[tuple[str, K]]) -> None:
    from workbench.detect.ner import entities

    (found,) = entities([text])
    assert _spans(text, found) == expected


def test_base64_blobs_hold_no_identifier() -> None:
    rng = random.Random(11)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    blobs = ["".join(rng.choice(alphabet) for _ in range(40)) for _ in range(2000)]
    blobs.append("dGhpcyBpcyBhIHRlc3Qgb2YgYmFzZTY0IGVuY29kaW5n")
    assert [found for found in detect_many(blobs, mode="fast") if found] == []
    text = "token dGhpcyBpcyBhIHRlc3Qgb2YgYmFzZTY0IGVuY29kaW5n; MRN: 00123456"
    assert _spans(text, detect(text)) == [("00123456", K.MRN)]


# Clinical strings that are no identifier, in either mode (NER's hits are checked against them).
@pytest.mark.parametrize(
    "text",
    [
        "History of Parkinson's disease and Bell's palsy; on Coumadin 5 mg.",
        "ABG 7.36/42/91/25/-1, BP 128/74, HR 72. NO ACUTE EVENTS THIS SHIFT.PRN TYLENOL X1.",
        "WILL NOTIFY HO IF NECESSARY.PT RESTING COMFORTABLY. GLASGOW COMA SCALE 15.",
        "Diagnosed with diabetes in 2019; moved here from Ohio.",
        "Acetaminophen 325 MG Oral Tablet [Tylenol]",
        "Barrett esophagus, Hodgkin lymphoma, Cushing syndrome.",
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_clinical_text_holds_no_identifier(text: str, mode: str) -> None:
    assert detect(text, mode=mode) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "",
        b"",
        b"\xff\xfe\x00\x01 binary \x80\x81 SSN 999-17-5017 \xc3\x28",
        "lone surrogate \ud800 then 508-222-5200",
        "\x00" * 1000 + "999-17-5017" + "\x00" * 1000,
        bytes(random.Random(3).getrandbits(8) for _ in range(200_000)),
        "a" * 300_000,
        "Dr." * 50_000,
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_odd_input_gives_findings_with_valid_offsets(text: str | bytes, mode: str) -> None:
    findings = detect(text, mode=mode)  # type: ignore[arg-type]
    length = len(clean(text))
    assert all(0 <= f.start < f.end <= length for f in findings)


def test_bytes_offsets_count_code_points_of_the_decoded_text() -> None:
    raw = "Pâtient Ünïcode SSN 999-17-5017".encode()
    (finding,) = detect(raw, mode="fast")
    assert raw.decode()[finding.start : finding.end] == "999-17-5017"


def test_chunks_cover_the_text_once_and_overlap() -> None:
    text = ("word " * 30_000 + "\n") * 3
    pieces = chunks(text, size=20_000, overlap=300)
    assert pieces[0].core_start == 0 and pieces[-1].core_end == len(text)
    for before, after in itertools.pairwise(pieces):
        assert before.core_end == after.core_start
        assert after.start < before.core_end < before.end
    assert all(p.end - p.start <= 20_000 + 2 * 300 for p in pieces)


def test_identifiers_across_chunk_boundaries_are_found_once_with_whole_text_offsets() -> None:
    filler = "stable overnight, no events. " * 4000  # ~116k characters: three chunks
    text = filler + "SSN 999-17-5017 " + filler + "call 508-222-5200 " + filler
    findings = detect(text, mode="fast")
    assert _spans(text, findings) == [("999-17-5017", K.SSN), ("508-222-5200", K.PHONE)]


@pytest.mark.parametrize("mode", MODES)
def test_ten_megabytes_of_binary_junk_get_an_answer_quickly(mode: str) -> None:
    junk = random.Random(5).randbytes(10_000_000) + b" SSN 999-17-5017 " + bytes(1000)
    findings = detect(junk, mode=mode)  # type: ignore[arg-type]
    assert ("999-17-5017", K.SSN) in _spans(clean(junk), findings)


def test_ten_megabytes_of_notes_in_fast_mode() -> None:
    line = "stable overnight, no events, tolerating diet; plan unchanged. " * 40 + "MRN 5953396\n"
    text = line * (10_000_000 // len(line))
    findings = detect(text, mode="fast")
    assert len(findings) == len(text) // len(line) and {f.kind for f in findings} == {K.MRN}


def test_detect_many_keeps_order_and_rejects_unknown_modes() -> None:
    texts = ["SSN 999-17-5017", "", "call 508-222-5200"]
    assert [[f.kind for f in found] for found in detect_many(texts, mode="fast")] == [[K.SSN], [], [K.PHONE]]
    with pytest.raises(ValueError):
        detect("x", mode="slow")  # type: ignore[arg-type]


def test_fast_mode_the_governed_path_and_columns_never_import_presidio_or_spacy() -> None:
    code = (
        "import sys\n"
        "import workbench.detect.engine as e, workbench.governed.query, workbench.catalog, workbench.cli.main\n"
        "import workbench.detect.classify, workbench.detect.operators\n"
        "e.detect('Dr. Okafor, SSN 999-17-5017, lives in Worcester', mode='fast')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('presidio', 'spacy', 'thinc'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
