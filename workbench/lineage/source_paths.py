"""Where the user's SQL files really are: the one place a source path is kept as written.

A file's path can hold PHI (`/exports/Jane Doe 123-45-6789/123-45-6789.sql`). Everything the
workbench stores, shows, exports or ledgers names a SQL file by its *guarded* path: each path
segment that holds an identifier replaced by its keyed token (`NameGuard.location`, suffix kept:
`/exports/h_3f9a…/h_0c1d….sql`). That guarded path is the file's key in `graph.json`, the origin of
its edges, its OpenLineage job name, its build errors and its ledger entry.

A rebuild must still read the user's file, so the real path of every file whose key differs from
it is kept in `lineage/source_paths.json`, inside the workspace (a 0700 folder) and written 0600.
Nothing else reads it; a path whose key is itself is not written there. The map is checked on load
(an entry counts only when its key is the workspace guard's key of its path, and only SQL files
are read through it); a missing or damaged map reads as empty, and a rebuild then keeps the
records of the files it cannot find, never reading anything else in their place.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

SOURCE_PATHS_FILE = "source_paths.json"


# the files a rebuild may read through the map: what `workbench lineage build` finds in a folder
SOURCE_SUFFIXES = (".sql",)


def load_source_paths(folder: Path, guard: Callable[[str], str]) -> dict[str, str]:
    """Guarded path -> real path of the user's SQL files (empty when none is recorded).

    The map is not trusted: an entry is kept only when its key is `guard` (the workspace's
    `NameGuard.location`, keyed by the workspace secret) of its real path, so an edited map cannot
    point a stored file at another file, and only SQL files are ever read through it.
    """
    try:
        data = json.loads((folder / SOURCE_PATHS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        k: v
        for k, v in data.items()
        if isinstance(k, str)
        and isinstance(v, str)
        and k != v
        and Path(v).suffix.lower() in SOURCE_SUFFIXES
        and guard(v) == k
    }


def save_source_paths(folder: Path, paths: Mapping[str, str], keep: Iterable[str]) -> None:
    """Write the real paths of the keys in `keep` that differ from them (call under the lineage lock)."""
    kept = set(keep)
    data = {k: v for k, v in sorted(paths.items()) if k in kept and k != v}
    target = folder / SOURCE_PATHS_FILE
    if not data:
        target.unlink(missing_ok=True)
        return
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{SOURCE_PATHS_FILE}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(data, ensure_ascii=False, indent=1))
    os.replace(tmp, target)


def real_path(key: str, paths: Mapping[str, str]) -> Path:
    """The file a stored key names."""
    return Path(paths.get(key, key))


__all__ = ["SOURCE_PATHS_FILE", "SOURCE_SUFFIXES", "load_source_paths", "real_path", "save_source_paths"]
