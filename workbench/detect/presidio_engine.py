"""The workbench's recognizers inside presidio: for teams that already run presidio's `AnalyzerEngine`.

- `pattern_recognizers()`: every declaration of `workbench.detect.recognizers` that reports whole
  matches, as a presidio `PatternRecognizer` (same regexes, scores and context words; the reject hook
  becomes `invalidate_result`).
- `WorkbenchRecognizer`: one presidio `EntityRecognizer` that runs this engine (all 18 kinds, the
  name dictionaries, labelled identifiers, overlap resolution) and reports its findings with the
  kind names as entity types.
- `analyzer()`: an `AnalyzerEngine` on the offline spaCy model whose registry holds only
  `WorkbenchRecognizer`: ``analyzer().analyze(text, language="en")`` gives our findings as
  presidio `RecognizerResult`s, ready for presidio-anonymizer.

Importing this module imports presidio (and so spaCy); the fast mode never does.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # before presidio: no network for e-mail

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, PatternRecognizer, RecognizerResult
from presidio_analyzer import Pattern as PresidioPattern
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngineProvider
from presidio_analyzer.recognizer_registry import RecognizerRegistry

from workbench.detect.engine import Mode, detect
from workbench.detect.ner import presidio_nlp_configuration
from workbench.detect.recognizer import Recognizer
from workbench.detect.recognizers import RECOGNIZERS
from workbench.kinds import IdentifierKind


class _DeclaredRecognizer(PatternRecognizer):
    """A presidio `PatternRecognizer` built from a workbench `Recognizer` declaration."""

    def __init__(self, declaration: Recognizer) -> None:
        self.declaration = declaration
        super().__init__(
            supported_entity=declaration.kind.value,
            name=declaration.name,
            patterns=[PresidioPattern(p.name, p.regex, p.score) for p in declaration.patterns],
            context=list(declaration.context),
            global_regex_flags=declaration.flags,
        )

    def invalidate_result(self, pattern_text: str) -> bool | None:
        return self.declaration.reject(pattern_text)


def pattern_recognizers() -> list[PatternRecognizer]:
    """The declarations whose every pattern reports its whole match, as presidio pattern recognizers."""
    return [
        _DeclaredRecognizer(declaration)
        for declaration in RECOGNIZERS
        if isinstance(declaration, Recognizer) and all(p.group is None for p in declaration.patterns)
    ]


class WorkbenchRecognizer(EntityRecognizer):
    """This engine as one presidio recognizer; `mode` "fast" by default (presidio runs its own NLP)."""

    def __init__(self, mode: Mode = "fast") -> None:
        self.mode = mode
        super().__init__(
            supported_entities=[kind.value for kind in IdentifierKind],
            name="workbench",
            supported_language="en",
        )

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        wanted = set(entities) if entities else None
        return [
            RecognizerResult(f.kind.value, f.start, f.end, f.score)
            for f in detect(text, mode=self.mode)
            if wanted is None or f.kind.value in wanted
        ]


def analyzer(mode: Mode = "fast", **kwargs: Any) -> AnalyzerEngine:
    """A presidio `AnalyzerEngine` (offline spaCy model) whose only recognizer is this engine."""
    nlp_engine = NlpEngineProvider(nlp_configuration=presidio_nlp_configuration()).create_engine()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(WorkbenchRecognizer(mode))
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"], **kwargs)
