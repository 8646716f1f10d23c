"""Fast, NER-free PHI detection: pattern recognizers, text scanning and warehouse column classification.

`recognizers/` declares one recognizer per identifier family; `scan.py` runs them over text and
resolves overlaps into `Finding`s; `classify.py` tags warehouse columns with identifier kinds from
column-name hints and sampled values. Nothing here imports presidio: a later engine registers the
same declarations there.
"""
