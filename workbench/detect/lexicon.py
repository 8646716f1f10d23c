"""The dictionaries the name recognizer consults: personal names, English words, clinical vocabulary.

- **Personal names** come from the `names-dataset` package (Apache-2.0): first and last names of 105
  countries with their popularity rank per country. A name is kept when it is among the
  `FIRST_NAME_RANK` (or `LAST_NAME_RANK`) most common in at least one country. Reading the package's
  pickles takes about 25 seconds and 2 GB, so the kept names are written once per package version to a
  small cache file (`$WORKBENCH_CACHE`, default ``~/.cache/phi-workbench``) and read from there after.
- **English words** and their frequencies come from `pyspellchecker` (MIT): a capitalized word that is
  also a common English word ("Grace", "Will", "Clear") needs context to count as a name.
- **Words that are not names in notes** (`data/not_names.txt`): drug brands, devices, eponymous
  scales, insurers, vehicle makes, states, months and headings that notes capitalize; and
  `data/clinical_shorthand.txt`, shorthand that names-dataset also lists as names ("Plt", "Med", "tol").
- **Eponymous clinical phrases** (`data/clinical_eponyms.txt`): "Hunt and Hess", "Swan-Ganz".
- **Countries** come from `pycountry` (LGPL-2.1, ISO 3166; a dependency of names-dataset): a country is
  neither a name nor, under Safe Harbor, an identifier.

Keys are casefolded and stripped of diacritics, so ``KOVÁCS``, ``Kovács`` and ``kovacs`` read alike.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import os
import unicodedata
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

from workbench.errors import BadInput

FIRST_NAME_RANK = 3000
LAST_NAME_RANK = 3000
COMMON_WORD = 20_000  # pyspellchecker count from which a word is common English whatever its name rank
UNCOMMON_WORD = 1_000  # below this count a word is rare enough in English to read as a name
FAMOUS_NAME_RANK = 300  # a name this popular somewhere stays a name when its English count is in between
_CACHE_FORMAT = 1
_NO_RANK = 1 << 30


@functools.lru_cache(maxsize=1 << 17)
def fold(word: str) -> str:
    """Casefold and strip diacritics: ``Kovács`` -> ``kovacs``; ``ß`` -> ``ss``; ``’`` -> ``'``."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().replace("\u2019", "'"))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).replace("đ", "d")


@dataclass(frozen=True)
class WordEvidence:
    """What the dictionaries say about one word: name ranks (lower is more common), English count, clinical."""

    first_rank: int | None
    last_rank: int | None
    english: int
    clinical: bool

    @property
    def best_rank(self) -> int:
        return min(self.first_rank or _NO_RANK, self.last_rank or _NO_RANK)

    @property
    def known_name(self) -> bool:
        return self.first_rank is not None or self.last_rank is not None

    @property
    def common_word(self) -> bool:
        """An English word common enough that, capitalized, it is more often not a name."""
        if self.english >= COMMON_WORD:
            return True
        return self.english >= UNCOMMON_WORD and self.best_rank > FAMOUS_NAME_RANK

    @property
    def name_like(self) -> bool:
        """A known name that is neither clinical vocabulary nor a common English word."""
        return self.known_name and not self.clinical and not self.common_word


def cache_dir() -> Path:
    explicit = os.environ.get("WORKBENCH_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "phi-workbench"


def _names_version() -> str:
    try:
        return metadata.version("names-dataset")
    except metadata.PackageNotFoundError:
        raise BadInput(
            "The names-dataset package is missing; reinstall the workbench (`make lab` or `pip install -e .`)."
        ) from None


def _cache_path() -> Path:
    name = f"names-{_names_version()}-f{FIRST_NAME_RANK}-l{LAST_NAME_RANK}-v{_CACHE_FORMAT}.tsv.gz"
    return cache_dir() / name


def _best_rank(info: dict[str, dict[str, int]]) -> int | None:
    ranks = [rank for rank in (info.get("rank") or {}).values() if rank is not None]
    return min(ranks) if ranks else None


def _build_names() -> dict[str, tuple[int | None, int | None]]:
    """Read names-dataset once and keep the names popular in some country (slow: ~25 s)."""
    from names_dataset import NameDataset

    dataset = NameDataset()
    kept: dict[str, tuple[int | None, int | None]] = {}
    for table, limit, slot in (
        (dataset.first_names, FIRST_NAME_RANK, 0),
        (dataset.last_names, LAST_NAME_RANK, 1),
    ):
        for name, info in table.items():
            rank = _best_rank(info)
            if rank is None or rank > limit or " " in name:
                continue
            key = fold(name)
            first, last = kept.get(key, (None, None))
            if slot == 0:
                first = rank if first is None else min(first, rank)
            else:
                last = rank if last is None else min(last, rank)
            kept[key] = (first, last)
    return kept


def _write_cache(path: Path, names: dict[str, tuple[int | None, int | None]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    lines = (f"{name}\t{first or ''}\t{last or ''}\n" for name, (first, last) in sorted(names.items()))
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as out:
        out.writelines(lines)
    os.replace(tmp, path)


def _read_cache(path: Path) -> dict[str, tuple[int | None, int | None]]:
    names: dict[str, tuple[int | None, int | None]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            name, first, last = line.rstrip("\n").split("\t")
            names[name] = (int(first) if first else None, int(last) if last else None)
    return names


@functools.cache
def personal_names() -> dict[str, tuple[int | None, int | None]]:
    """Folded name -> (best first-name rank, best last-name rank), from the cache or built once."""
    path = _cache_path()
    try:
        return _read_cache(path)
    except (OSError, ValueError, EOFError):
        pass
    names = _build_names()
    with contextlib.suppress(OSError):  # a read-only home still detects names, it rebuilds them next time
        _write_cache(path, names)
    return names


@functools.cache
def english_counts() -> dict[str, int]:
    """Lower-case English word -> its count in pyspellchecker's frequency list."""
    from spellchecker import SpellChecker

    return dict(SpellChecker(language="en").word_frequency.dictionary)


def _data_lines(name: str) -> list[str]:
    """The lines of `data/<name>` that are neither blank nor comments."""
    text = resources.files("workbench.detect").joinpath(f"data/{name}").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@functools.cache
def clinical_terms() -> frozenset[str]:
    """Folded words of `data/not_names.txt` (every word of a multi-word term) and `data/clinical_shorthand.txt`."""
    words: set[str] = set()
    for name in ("not_names.txt", "clinical_shorthand.txt"):
        for line in _data_lines(name):
            words.update(fold(word) for word in line.split())
    return frozenset(words)


_STATES_SECTION = "# --- one-word US states"


@functools.cache
def us_states() -> frozenset[str]:
    """Folded one-word US state names (the states section of `data/not_names.txt`).

    A state alone is no name, but a state can be a surname ("Dr. Washington", "KEISHA WASHINGTON").
    """
    text = resources.files("workbench.detect").joinpath("data/not_names.txt").read_text("utf-8")
    section = text.split(_STATES_SECTION, 1)[1].split("\n# ---", 1)[0]
    lines = section.splitlines()[1:]  # past the rest of the heading line
    return frozenset(fold(line.strip()) for line in lines if line.strip() and line[0] != "#")


@functools.cache
def eponym_phrases() -> tuple[str, ...]:
    """The eponymous clinical phrases of `data/clinical_eponyms.txt`, longest first."""
    return tuple(sorted(_data_lines("clinical_eponyms.txt"), key=len, reverse=True))


# Names of countries that ISO 3166 spells otherwise, and the nations of the United Kingdom.
_OTHER_COUNTRY_NAMES = frozenset(
    {"usa", "america", "uk", "great britain", "britain", "england", "scotland", "wales", "russia", "burma"}
    | {"kosovo", "holland", "czech republic", "ivory coast", "south korea", "north korea", "vietnam"}
)


@functools.cache
def countries() -> frozenset[str]:
    """Folded names of the world's countries (ISO 3166: short, official and common names)."""
    import pycountry

    names: set[str] = set(_OTHER_COUNTRY_NAMES)
    for country in pycountry.countries:
        for field in ("name", "official_name", "common_name"):
            value = getattr(country, field, None)
            if value:
                names.add(fold(value))
                names.add(fold(value.split(",")[0]))  # "Korea, Republic of" -> "korea"
    return frozenset(names)


@functools.lru_cache(maxsize=1 << 17)
def evidence(word: str) -> WordEvidence:
    """What the dictionaries say about `word` (a single token, any case)."""
    key = fold(word)
    first, last = personal_names().get(key, (None, None))
    english = english_counts().get(word.lower(), 0) or english_counts().get(key, 0)
    return WordEvidence(first, last, english, key in clinical_terms())


def load() -> None:
    """Load every dictionary now (e.g. before timing a benchmark) rather than on first use."""
    personal_names()
    english_counts()
    clinical_terms()
    us_states()
    eponym_phrases()
    countries()
