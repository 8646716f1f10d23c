"""PHI detection: recognizers, the engine's two modes, masking operators and column classification.

`recognizers/` declares one recognizer per identifier family (`names.py` runs the name recognizer
against the dictionaries of `lexicon.py`); `scan.py` runs them over text and resolves overlaps into
`Finding`s; `engine.py` adds chunking, odd-input handling and, in the default mode, spaCy NER
(`ner.py`); `operators.py` masks findings; `classify.py` tags warehouse columns from column-name
hints and sampled values. Only `ner.py` (on first use) and `presidio_engine.py` import presidio or
spaCy. See docs/detection.md.
"""
