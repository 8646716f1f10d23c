"""Generate PHI Workbench's synthetic data set: a Synthea-shaped hospital and labeled clinical notes.

    .venv/bin/python data/synthetic/generate.py --seed 7 --patients 60 --notes 300

writes `hospital/*.csv` (18 Synthea v3.0 tables) and `notes/{notes,spans}.jsonl` next to this file, or
where `--out` / `--notes-out` say. The same arguments always produce byte-identical files. Everything
generated is fabricated; see README.md in this folder.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from synthgen.hospital import build_hospital, write_hospital
from synthgen.notes import build_notes, write_notes

HERE = Path(__file__).resolve().parent
SEED, PATIENTS, NOTES = 7, 60, 300  # the committed data set


def generate(
    seed: int = SEED,
    patients: int = PATIENTS,
    notes: int = NOTES,
    out: Path = HERE / "hospital",
    notes_out: Path = HERE / "notes",
) -> list[Path]:
    """Write the hospital CSVs into `out` and the notes into `notes_out`; returns every path written."""
    if patients < 1 or notes < 0:
        raise ValueError("need at least one patient and a non-negative number of notes")
    hospital = build_hospital(seed, patients)
    written = write_hospital(hospital, out)
    written += write_notes(build_notes(hospital, seed, notes), notes_out)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the synthetic hospital and labeled notes.")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (default %(default)s)")
    parser.add_argument("--patients", type=int, default=PATIENTS, help="patients (default %(default)s)")
    parser.add_argument("--notes", type=int, default=NOTES, help="clinical notes (default %(default)s)")
    parser.add_argument("--out", type=Path, default=HERE / "hospital", help="folder for the 18 CSVs")
    parser.add_argument("--notes-out", type=Path, default=HERE / "notes", help="folder for the notes")
    args = parser.parse_args(argv)
    try:
        written = generate(args.seed, args.patients, args.notes, args.out, args.notes_out)
    except ValueError as exc:
        parser.error(str(exc))
    size = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files, {size / 1024:.0f} KiB (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
