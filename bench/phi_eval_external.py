"""PHI detection on a corpus this project did not write: this engine (default, fast) and stock Presidio.

    .venv/bin/python bench/phi_eval_external.py [--physionet DIR] [--cache DIR] [--skip-presidio] [--show-misses N]

Which corpus. No package on PyPI, npm or Debian bundles a real, openly licensed clinical
de-identification corpus (checked 2026-12: pydeid, bert-deid, philter-ucsf/-lite, robust-deid,
deidentify, cdeid, pyhealth, medcat, scrubadub, deid/deid-data, presidio-evaluator and ~20 others;
the PhysioNet nursing-notes gold standard ships with none of them, and the only clinical notes found,
five in philter-ucsf/philter-lite, are i2b2 notes under a data-use agreement). So by default this
script scores the third-party corpus that does ship openly: `data/synth_dataset_v2.json` inside the
`presidio-evaluator` sdist (MIT licence, 1,500 template-generated sentences with gold spans, written
by Presidio's authors, not by us). It is synthetic and not clinical, but it was not written with our
generator or templates, so it is out of distribution for our recognizers.

`--physionet DIR` scores the PhysioNet deid gold standard instead (`id.text` + `id-phi.phrase`, for
whoever has obtained a copy; nothing is downloaded). That parser follows the published file format
but was tested only on a hand-made two-note sample: no copy of the corpus was available here.

The package is fetched at bench time with `pip download` into a cache folder (default
`~/.cache/phi-workbench/phi_eval_external`, or `--cache`), never into the repository.

Scoring is bench/phi_eval.py's: a gold span is found when a prediction of the same kind overlaps it
(recall); a prediction is right when it overlaps a gold span of its kind (precision); "any kind"
ignores the kind. Gold types that are not Safe Harbor identifiers (ORGANIZATION, TITLE, NRP, ages up
to 89, bare years and weekdays) are not scored, and predictions overlapping only them are dropped rather than counted wrong.
Recall is also broken down by the corpus's own types, since e.g. its GPE mixes cities (PHI) with
countries (not PHI), and its DATE_TIME includes bare years and times (not PHI under Safe Harbor).
Writes the "phi_external" section of bench/RESULTS.md (numbers and value-free shapes of misses only,
never corpus text); `--no-write` prints only.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.phi_eval import presidio_engine, workbench_engine  # noqa: E402
from bench.results import write_section  # noqa: E402
from workbench.kinds import IdentifierKind  # noqa: E402

PACKAGE = "presidio-evaluator"
VERSION = "0.3.2"
DATASET = "data/synth_dataset_v2.json"
IGNORED = "-"  # gold spans of this kind are not scored

# presidio-evaluator entity type -> our kind
EVALUATOR_KINDS: dict[str, str] = {
    "PERSON": "NAME",
    "STREET_ADDRESS": "GEO",
    "GPE": "GEO",
    "ZIP_CODE": "GEO",
    "DATE_TIME": "DATE",
    "AGE": "DATE",  # only ages over 89; younger ones are dropped in `_age`
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "US_SSN": "SSN",
    "CREDIT_CARD": "ACCOUNT",
    "IBAN_CODE": "ACCOUNT",
    "IP_ADDRESS": "IP",
    "DOMAIN_NAME": "URL",
    "US_DRIVER_LICENSE": "LICENSE",
    "ORGANIZATION": IGNORED,
    "TITLE": IGNORED,
    "NRP": IGNORED,
}

# PhysioNet deid category -> our kind (categories of the 2008 gold standard)
PHYSIONET_KINDS: dict[str, str] = {
    "PTName": "NAME",
    "PTNameInitial": "NAME",
    "HCPName": "NAME",
    "RelativeProxyName": "NAME",
    "Initials": "NAME",
    "Date": "DATE",
    "DateYear": IGNORED,  # bare years are not Safe Harbor identifiers
    "Age": "DATE",
    "Phone": "PHONE",
    "Location": "GEO",
    "Hospital": "GEO",
    "ProvinceOrState": IGNORED,
    "Country": IGNORED,
    "Other": "OTHER_ID",
}

Span = tuple[int, int, str]  # start, end, our kind


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    kind: str  # our kind, or IGNORED
    source: str  # the corpus's own type


@dataclass(frozen=True)
class Doc:
    id: str
    text: str
    gold: tuple[Gold, ...]


# --- corpora --------------------------------------------------------------------------------------


def fetch_evaluator(cache: Path) -> tuple[Path, str]:
    """The presidio-evaluator dataset and the first line of its licence, downloaded once into `cache`."""
    cache.mkdir(parents=True, exist_ok=True)
    dataset = cache / "synth_dataset_v2.json"
    licence = cache / "LICENSE"
    if not dataset.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-q",
             f"{PACKAGE}=={VERSION}", "-d", str(cache)],
            check=True,
        )  # fmt: skip
        archive = next(cache.glob(f"{PACKAGE.replace('-', '_')}-{VERSION}.tar.gz"))
        with tarfile.open(archive) as tar:
            prefix = f"{PACKAGE.replace('-', '_')}-{VERSION}/"
            dataset.write_bytes(tar.extractfile(prefix + DATASET).read())  # type: ignore[union-attr]
            licence.write_bytes(tar.extractfile(prefix + "LICENSE").read())  # type: ignore[union-attr]
    first = next(line.strip() for line in licence.read_text().splitlines() if line.strip())
    return dataset, first


_YEAR_OR_WEEKDAY = re.compile(r"(?:1[89]|20)\d\d|(?i:mon|tues|wednes|thurs|fri|satur|sun)day")


def _age(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return bool(digits) and int(digits) > 89


def load_evaluator(path: Path) -> list[Doc]:
    docs = []
    for number, sample in enumerate(json.loads(path.read_text(encoding="utf-8"))):
        gold = []
        for span in sample["spans"]:
            source = span["entity_type"]
            kind = EVALUATOR_KINDS.get(source, "OTHER_ID")
            if source == "AGE" and not _age(span["entity_value"]):
                kind = IGNORED
            if source == "DATE_TIME" and _YEAR_OR_WEEKDAY.fullmatch(span["entity_value"].strip()):
                kind = IGNORED  # a bare year or weekday is not a Safe Harbor date element
            gold.append(Gold(span["start_position"], span["end_position"], kind, source))
        docs.append(Doc(str(number), sample["full_text"], tuple(gold)))
    return docs


def load_physionet(folder: Path) -> list[Doc]:
    """`id.text` (records between START_OF_RECORD=pid||||rid|||| and ||||END_OF_RECORD lines) and
    `id-phi.phrase` (one span a line: pid rid start end category text, offsets into the record)."""
    texts: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    with open(folder / "id.text", encoding="utf-8", errors="replace", newline="") as handle:
        for line in handle:
            if current is None:
                if line.startswith("START_OF_RECORD="):
                    pid, rid = line[len("START_OF_RECORD=") :].split("||||")[:2]
                    current, lines = f"{pid}-{rid}", []
            elif line.rstrip("\r\n") == "||||END_OF_RECORD":
                texts[current] = "".join(lines)
                current = None
            else:
                lines.append(line)
    gold: dict[str, list[Gold]] = defaultdict(list)
    for line in (folder / "id-phi.phrase").read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split(" ")
        if len(parts) < 5:
            continue
        pid, rid, start, end, source = parts[:5]
        kind = PHYSIONET_KINDS.get(source, "OTHER_ID")
        if source == "Age" and not _age(" ".join(parts[5:])):
            kind = IGNORED
        gold[f"{pid}-{rid}"].append(Gold(int(start), int(end), kind, source))
    return [Doc(key, text, tuple(gold[key])) for key, text in texts.items()]


# --- scoring --------------------------------------------------------------------------------------


def _overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


@dataclass
class Tally:
    gold: Counter[str]
    found: Counter[str]
    found_any: Counter[str]
    predicted: Counter[str]
    right: Counter[str]
    right_any: int
    dropped: int
    by_source: Counter[str]
    by_source_found: Counter[str]
    by_source_any: Counter[str]
    misses: list[tuple[str, Gold]]


def tally(docs: Sequence[Doc], predictions: Sequence[Sequence[Span]]) -> Tally:
    t = Tally(
        Counter(), Counter(), Counter(), Counter(), Counter(), 0, 0, Counter(), Counter(), Counter(), []
    )
    for doc, predicted in zip(docs, predictions, strict=True):
        scored = [g for g in doc.gold if g.kind != IGNORED]
        ignored = [g for g in doc.gold if g.kind == IGNORED]
        for g in scored:
            hit = any(_overlaps(s, e, g.start, g.end) and k == g.kind for s, e, k in predicted)
            hit_any = any(_overlaps(s, e, g.start, g.end) for s, e, _k in predicted)
            t.gold[g.kind] += 1
            t.found[g.kind] += hit
            t.found_any[g.kind] += hit_any
            t.by_source[g.source] += 1
            t.by_source_found[g.source] += hit
            t.by_source_any[g.source] += hit_any
            if not hit_any:
                t.misses.append((doc.id, g))
        for s, e, k in predicted:
            on_scored = [g for g in scored if _overlaps(s, e, g.start, g.end)]
            if not on_scored and any(_overlaps(s, e, g.start, g.end) for g in ignored):
                t.dropped += 1
                continue
            t.predicted[k] += 1
            t.right[k] += any(g.kind == k for g in on_scored)
            t.right_any += bool(on_scored)
    return t


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "–"


def report(name: str, t: Tally) -> None:
    gold = sum(t.gold.values())
    predicted = sum(t.predicted.values())
    print(
        f"\n== {name}: {gold} gold PHI spans, {predicted} predictions scored ({t.dropped} on non-PHI gold dropped)"
    )
    print(
        f"   kind must match: R {_ratio(sum(t.found.values()), gold)}  P {_ratio(sum(t.right.values()), predicted)}"
        f"   | any kind: R {_ratio(sum(t.found_any.values()), gold)}  P {_ratio(t.right_any, predicted)}"
    )
    print("   per kind (R typed / R any kind / P typed, predictions):")
    for kind in [k.value for k in IdentifierKind] + ["other"]:
        if t.gold[kind] or t.predicted[kind]:
            print(
                f"     {kind:<15} gold {t.gold[kind]:>5}  R {_ratio(t.found[kind], t.gold[kind]):>5}"
                f"  Rany {_ratio(t.found_any[kind], t.gold[kind]):>5}"
                f"  P {_ratio(t.right[kind], t.predicted[kind]):>5} ({t.predicted[kind]})"
            )
    print("   recall by the corpus's own type (typed / any kind):")
    for source, count in t.by_source.most_common():
        print(
            f"     {source:<18} {count:>5}  {_ratio(t.by_source_found[source], count):>5}"
            f"  {_ratio(t.by_source_any[source], count):>5}"
        )


def shape(text: str, start: int, end: int) -> str:
    """A coarse, value-free description of a missed span, for grouping misses."""
    value = text[start:end]
    before = text[max(0, start - 12) : start].lower()
    bits = []
    if re.fullmatch(r"[\d\W]+", value):
        bits.append("digits/punct")
    elif value.isupper():
        bits.append("ALL-CAPS")
    elif value.islower():
        bits.append("lowercase")
    else:
        bits.append("Capitalised")
    bits.append(f"{len(value.split())} token(s)")
    if re.search(r"\b(dr|mr|mrs|ms|md)\.?\s*$", before):
        bits.append("after title")
    if start == 0 or text[start - 1] == "\n":
        bits.append("line start")
    return ", ".join(bits)


NOT_SCORED = (
    "ORGANIZATION, TITLE and NRP spans (not Safe Harbor identifiers)",
    "AGE spans of 89 or less (only ages over 89 are identifiers)",
    "DATE_TIME spans that are a bare year or a weekday (a year alone is not PHI)",
    "predictions that overlap only such spans (dropped, neither right nor wrong)",
)


def _typed(t: Tally) -> tuple[str, str, str, str]:
    gold, predicted = sum(t.gold.values()), sum(t.predicted.values())
    return (
        _ratio(sum(t.found.values()), gold),
        _ratio(sum(t.right.values()), predicted),
        _ratio(sum(t.found_any.values()), gold),
        _ratio(t.right_any, predicted),
    )


def markdown(corpus: str, size: int, tallies: dict[str, Tally], seconds: dict[str, float]) -> str:
    """The RESULTS.md section: per-kind and per-source tables for every engine, side by side."""
    names = list(tallies)
    first = tallies[names[0]]
    lines = [
        "## PHI detection on a third-party corpus (`bench/phi_eval_external.py`)",
        "",
        f"**{corpus}**, {size:,} characters. Not written by this project nor with its generator, so out of "
        "distribution for our recognizers; but synthetic and not clinical, so it says little about real notes. "
        'Scored as `bench/phi_eval.py` scores: by span overlap; R = recall, P = precision; "kind must match" '
        'counts a finding only with the gold span\'s kind, "any kind" ignores it (what masking everything '
        "found would hide).",
        "",
        "| engine | gold | predictions | R, kind must match | P, kind must match | R, any kind | P, any kind | seconds |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, t in tallies.items():
        r, p, r_any, p_any = _typed(t)
        lines.append(
            f"| {name} | {sum(t.gold.values())} | {sum(t.predicted.values())} | **{r}** | **{p}** | {r_any} "
            f"| {p_any} | {seconds[name]:.1f} |"
        )
    lines += [
        "",
        "Per kind (R typed / P typed):",
        "",
        "| kind | gold | " + " | ".join(f"{n} R | {n} P" for n in names) + " |",
        "|---|---:|" + "---:|---:|" * len(names),
    ]
    for kind in [k.value for k in IdentifierKind] + ["other"]:
        if any(t.gold[kind] or t.predicted[kind] for t in tallies.values()):
            cells = []
            for t in tallies.values():
                cells += [_ratio(t.found[kind], t.gold[kind]), _ratio(t.right[kind], t.predicted[kind])]
            lines.append(f"| {kind} | {first.gold[kind]} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Recall by the corpus's own entity type (typed / any kind):",
        "",
        "| corpus type | gold | " + " | ".join(names) + " |",
        "|---|---:|" + "---:|" * len(names),
    ]
    for source, count in first.by_source.most_common():
        cells = [
            f"{_ratio(t.by_source_found[source], count)} / {_ratio(t.by_source_any[source], count)}"
            for t in tallies.values()
        ]
        lines.append(f"| {source} | {count} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "The corpus labels every telephone number PHONE_NUMBER, fax numbers included, so findings of kind FAX "
        'count as the wrong kind here (they are right under "any kind").',
    ]
    lines += ["", "Not scored:", ""] + [f"- {item}" for item in NOT_SCORED]
    dropped = ", ".join(f"{name} {t.dropped}" for name, t in tallies.items())
    lines += [f"- predictions dropped this way: {dropped}"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--physionet", type=Path, help="folder with id.text and id-phi.phrase")
    parser.add_argument(
        "--cache", type=Path, default=Path.home() / ".cache" / "phi-workbench" / "phi_eval_external"
    )
    parser.add_argument("--skip-presidio", action="store_true")
    parser.add_argument(
        "--show-misses", type=int, default=0, help="print N missed spans per type (shows text)"
    )
    parser.add_argument("--no-write", action="store_true", help="print, do not write bench/RESULTS.md")
    args = parser.parse_args(argv)

    if args.physionet:
        docs = load_physionet(args.physionet)
        corpus = f"PhysioNet deid gold standard (real nursing notes), {len(docs)} notes"
    else:
        path, licence = fetch_evaluator(args.cache)
        docs = load_evaluator(path)
        corpus = (
            f"Third-party synthetic, non-clinical corpus (presidio-evaluator, MIT): `{DATASET}` of "
            f"{PACKAGE} {VERSION} ({licence}), {len(docs)} template-generated samples"
        )
    print(f"corpus: {corpus}")
    texts = [d.text for d in docs]
    print(f"{sum(map(len, texts)):,} characters")

    engines = {"workbench default": workbench_engine("default"), "workbench fast": workbench_engine("fast")}
    if not args.skip_presidio:
        engines["stock Presidio"] = presidio_engine()
    tallies = {}
    seconds = {}
    for name, engine in engines.items():
        started = time.perf_counter()
        predictions = engine(texts)
        seconds[name] = time.perf_counter() - started
        print(f"{name}: {seconds[name]:.1f} s")
        tallies[name] = tally(docs, predictions)
    for name, t in tallies.items():
        report(name, t)

    for name in ("workbench default", "workbench fast"):
        misses = tallies[name].misses
        groups = Counter(
            (g.source, shape(next(d.text for d in docs if d.id == doc), g.start, g.end)) for doc, g in misses
        )
        print(
            f"\n== {name}: {len(misses)} gold spans missed outright (no overlapping prediction of any kind)"
        )
        for (source, form), count in groups.most_common(25):
            print(f"     {count:>4}  {source:<18} {form}")
    if args.show_misses:
        by_id = {d.id: d.text for d in docs}
        shown: Counter[str] = Counter()
        for doc, g in tallies["workbench default"].misses:
            if shown[g.source] < args.show_misses:
                shown[g.source] += 1
                text = by_id[doc]
                print(
                    f"  [{g.source}] ...{text[max(0, g.start - 40) : g.start]!r} >>{text[g.start : g.end]!r}<< {text[g.end : g.end + 30]!r}"
                )
    section = markdown(corpus, sum(map(len, texts)), tallies, seconds)
    print("\n" + section)
    if not args.no_write:
        write_section("phi_external", section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
