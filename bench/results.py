"""Write one section of `bench/RESULTS.md`, keeping the other benchmarks' sections."""

from __future__ import annotations

import platform
import re
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(name: str, body: str) -> None:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    stamp = f"_Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {platform.python_version()}._"
    section = f"{start}\n{body.strip()}\n\n{stamp}\n{end}"
    text = (
        RESULTS.read_text()
        if RESULTS.exists()
        else "# Benchmark results\n\nEach section is rewritten by its benchmark script.\n"
    )
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    text = (
        pattern.sub(lambda _: section, text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + section + "\n"
    )
    RESULTS.write_text(text)
