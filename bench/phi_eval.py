"""PHI detection, measured: this engine (default and fast mode) and stock Presidio, side by side.

    .venv/bin/python bench/phi_eval.py [--notes DIR] [--throughput-notes 1500] [--skip-presidio]

Accuracy is scored on the project's labelled corpus (`data/synthetic/notes`: notes of five styles,
gold spans of all 18 kinds, a held-out split written from templates the recognizers were not tuned
on). A gold span counts as found when a prediction of the same kind overlaps it (recall); a
prediction counts as right when it overlaps a gold span of its kind (precision). "Any kind" scores
ignore the kind: what masking everything found would hide. Throughput is characters per second on
at least 1 MB of freshly generated notes (another seed), the same text for every engine, models
loaded beforehand. Writes the "phi" section of bench/RESULTS.md.

Stock Presidio is `AnalyzerEngine` with the same spaCy model and its default recognizers. Its
entity types are mapped to our kinds as `PRESIDIO_KINDS` says; types with no Safe Harbor
counterpart (NRP, ORGANIZATION...) count as predictions of kind "other" (they would be masked too).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from workbench.kinds import IdentifierKind  # noqa: E402

CORPUS = ROOT / "data" / "synthetic" / "notes"
GENERATOR = ROOT / "data" / "synthetic" / "generate.py"

# Presidio entity type -> our kind. Presidio has no MRN, ZIP, age, device, vehicle, biometric or photo
# recognizer; its US_NPI, US_MBI and health-insurance recognizers are off by default.
PRESIDIO_KINDS: dict[str, str] = {
    "PERSON": "NAME",
    "LOCATION": "GEO",
    "DATE_TIME": "DATE",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "US_SSN": "SSN",
    "US_ITIN": "SSN",
    "URL": "URL",
    "IP_ADDRESS": "IP",
    "US_DRIVER_LICENSE": "LICENSE",
    "US_PASSPORT": "LICENSE",
    "MEDICAL_LICENSE": "LICENSE",
    "US_BANK_NUMBER": "ACCOUNT",
    "CREDIT_CARD": "ACCOUNT",
    "IBAN_CODE": "ACCOUNT",
    "CRYPTO": "ACCOUNT",
    "US_MBI": "HEALTH_PLAN_ID",
    "US_NPI": "LICENSE",
}

Span = tuple[int, int, str]  # start, end, kind
Engine = Callable[[Sequence[str]], list[list[Span]]]


@dataclass(frozen=True)
class Note:
    id: str
    split: str
    style: str
    text: str
    gold: tuple[Span, ...]


def load_corpus(folder: Path) -> list[Note]:
    gold: dict[str, list[Span]] = defaultdict(list)
    for line in (folder / "spans.jsonl").read_text(encoding="utf-8").splitlines():
        span = json.loads(line)
        gold[span["note_id"]].append((span["start"], span["end"], span["kind"]))
    notes = []
    for line in (folder / "notes.jsonl").read_text(encoding="utf-8").splitlines():
        note = json.loads(line)
        notes.append(Note(note["id"], note["split"], note["style"], note["text"], tuple(gold[note["id"]])))
    return notes


# --- engines --------------------------------------------------------------------------------------


def workbench_engine(mode: str) -> Engine:
    from workbench.detect.engine import detect_many

    def run(texts: Sequence[str]) -> list[list[Span]]:
        return [
            [(f.start, f.end, f.kind.value) for f in found]
            for found in detect_many(list(texts), mode=mode)  # type: ignore[arg-type]
        ]

    return run


def presidio_engine() -> Engine:
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from workbench.detect.ner import presidio_nlp_configuration

    nlp_engine = NlpEngineProvider(nlp_configuration=presidio_nlp_configuration()).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])

    def run(texts: Sequence[str]) -> list[list[Span]]:
        return [
            [
                (r.start, r.end, PRESIDIO_KINDS.get(r.entity_type, "other"))
                for r in analyzer.analyze(t, language="en")
            ]
            for t in texts
        ]

    return run


# --- scoring --------------------------------------------------------------------------------------


@dataclass
class Score:
    gold: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    right: Counter[str] = field(default_factory=Counter)

    def add(self, gold: Sequence[Span], predicted: Sequence[Span]) -> None:
        for start, end, kind in gold:
            self.gold[kind] += 1
            self.gold["*"] += 1
            if any(s < end and start < e and k == kind for s, e, k in predicted):
                self.found[kind] += 1
            if any(s < end and start < e for s, e, _k in predicted):
                self.found["*"] += 1
        for start, end, kind in predicted:
            self.predicted[kind] += 1
            self.predicted["*"] += 1
            if any(s < end and start < e and k == kind for s, e, k in gold):
                self.right[kind] += 1
            if any(s < end and start < e for s, e, _k in gold):
                self.right["*"] += 1

    def recall(self, kind: str) -> float | None:
        return self.found[kind] / self.gold[kind] if self.gold[kind] else None

    def precision(self, kind: str) -> float | None:
        return self.right[kind] / self.predicted[kind] if self.predicted[kind] else None

    def typed(self) -> tuple[float, float]:
        kinds = [k.value for k in IdentifierKind]
        found = sum(self.found[k] for k in kinds)
        right = sum(self.right[k] for k in kinds)
        predicted = sum(self.predicted[k] for k in self.predicted if k != "*")
        return found / max(1, self.gold["*"]), right / max(1, predicted)


def score(notes: Sequence[Note], predictions: Sequence[Sequence[Span]]) -> dict[str, Score]:
    scores: dict[str, Score] = defaultdict(Score)
    for note, predicted in zip(notes, predictions, strict=True):
        for split in ("all", note.split):
            scores[split].add(note.gold, predicted)
    return scores


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def accuracy_table(results: dict[str, dict[str, Score]], split: str) -> str:
    engines = list(results)
    head = "| kind | gold | " + " | ".join(f"{e} R | {e} P" for e in engines) + " |"
    rule = "|---|---:|" + "---:|---:|" * len(engines)
    rows = [head, rule]
    for kind in [k.value for k in IdentifierKind]:
        gold = results[engines[0]][split].gold[kind]
        cells = []
        for engine in engines:
            s = results[engine][split]
            cells += [_cell(s.recall(kind)), _cell(s.precision(kind))]
        rows.append(f"| {kind} | {gold} | " + " | ".join(cells) + " |")
    typed = []
    anykind = []
    for engine in engines:
        s = results[engine][split]
        recall, precision = s.typed()
        typed += [f"**{recall:.3f}**", f"**{precision:.3f}**"]
        anykind += [f"**{_cell(s.recall('*'))}**", f"**{_cell(s.precision('*'))}**"]
    gold_total = results[engines[0]][split].gold["*"]
    rows.append(f"| all PHI, kind must match | {gold_total} | " + " | ".join(typed) + " |")
    rows.append(f"| all PHI, any kind | {gold_total} | " + " | ".join(anykind) + " |")
    return "\n".join(rows)


# --- throughput -----------------------------------------------------------------------------------


def generated_texts(count: int) -> list[str]:
    """`count` fresh notes (seed 11, another hospital than the labelled corpus's)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, str(GENERATOR), "--seed", "11", "--patients", "200", "--notes", str(count),
             "--out", f"{tmp}/hospital", "--notes-out", f"{tmp}/notes"],
            check=True,
            capture_output=True,
        )  # fmt: skip
        return [
            json.loads(line)["text"] for line in Path(tmp, "notes", "notes.jsonl").read_text().splitlines()
        ]


ROUNDS = 6


def throughput(engines: dict[str, Engine], texts: Sequence[str]) -> dict[str, float]:
    """Characters per second of each engine on `texts`, timed in interleaved rounds.

    Each round gives every engine the next slice of the texts, so that other work on the machine
    slows all engines alike instead of whichever happened to run during it.
    """
    seconds = dict.fromkeys(engines, 0.0)
    for part in range(ROUNDS):
        piece = texts[part::ROUNDS]
        for name, engine in engines.items():
            started = time.perf_counter()
            engine(piece)
            seconds[name] += time.perf_counter() - started
    size = sum(map(len, texts))
    return {name: size / spent for name, spent in seconds.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=Path, default=CORPUS, help="folder with notes.jsonl and spans.jsonl")
    parser.add_argument(
        "--throughput-notes", type=int, default=1500, help="generated notes to time (~0.9 KB each)"
    )
    parser.add_argument("--skip-presidio", action="store_true", help="measure this engine only (quick runs)")
    parser.add_argument("--no-write", action="store_true", help="print, do not write bench/RESULTS.md")
    args = parser.parse_args(argv)

    notes = load_corpus(args.notes)
    texts = [note.text for note in notes]
    timed = generated_texts(args.throughput_notes)
    size = sum(map(len, timed))

    started = time.perf_counter()
    from workbench.detect import lexicon

    lexicon.load()
    loads = {"fast": time.perf_counter() - started}
    engines: dict[str, Engine] = {"fast": workbench_engine("fast")}
    started = time.perf_counter()
    engines["default"] = workbench_engine("default")
    from workbench.detect.ner import nlp

    nlp()  # load presidio's spaCy engine now, so that it is not timed as throughput
    loads["default"] = time.perf_counter() - started + loads["fast"]
    if not args.skip_presidio:
        started = time.perf_counter()
        engines["presidio"] = presidio_engine()
        engines["presidio"](["Warm up with Mary Smith."])
        loads["presidio"] = time.perf_counter() - started

    results = {name: score(notes, engine(texts)) for name, engine in engines.items()}
    load = os.getloadavg()[0]
    speeds = throughput(engines, timed)
    for name, speed in speeds.items():
        print(f"{name}: {speed:,.0f} chars/s; all PHI any kind R {results[name]['all'].recall('*'):.3f}")

    labels = {"default": "workbench default", "fast": "workbench fast", "presidio": "stock Presidio"}
    named = {labels[k]: v for k, v in results.items()}
    counts = Counter(note.split for note in notes)
    lines = [
        "## PHI detection (`bench/phi_eval.py`)",
        "",
        f"Corpus: `data/synthetic/notes`, {len(notes)} notes ({counts['train']} train, {counts['heldout']} "
        'held out), scored by span overlap. R = recall, P = precision. "kind must match": a finding counts '
        "only with the gold span's kind; \"any kind\": masking everything found. Stock Presidio's types are "
        "mapped to our kinds (`PRESIDIO_KINDS` in the script); it has no recognizer for MRN, ZIP, ages, "
        "devices, vehicles, biometrics or photos.",
        "",
        "### Held-out split (templates the recognizers were not tuned on)",
        "",
        accuracy_table(named, "heldout"),
        "",
        "### All notes",
        "",
        accuracy_table(named, "all"),
        "",
        f"### Throughput: {size / 1e6:.2f} MB of generated notes ({len(timed)} notes, another seed), 2 cores",
        "",
        f"Timed in {ROUNDS} interleaved rounds (each engine gets the next slice in turn), so that other work "
        f"on the machine slows every engine alike; load average at the start: {load:.1f}.",
        "",
        "| engine | chars/s | vs stock Presidio | model load, s |",
        "|---|---:|---:|---:|",
    ]
    for name, speed in speeds.items():
        ratio = f"{speed / speeds['presidio']:.1f}×" if "presidio" in speeds else "–"
        lines.append(f"| {labels[name]} | {speed:,.0f} | {ratio} | {loads[name]:.1f} |")
    lines += [
        "",
        "Targets: recall ≥ 0.97 and precision ≥ 0.85 over all PHI; default mode ≥ 5× stock Presidio; fast "
        "mode ≥ 100,000 chars/s. Generated notes are far easier than real ones: expect lower numbers on "
        "real de-identification corpora.",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section("phi", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
