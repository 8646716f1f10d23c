"""Personal names (Safe Harbor (A)): of patients, relatives, household members, and the clinicians who sign.

Names come from the names-dataset dictionaries (`workbench.detect.lexicon`), never from a hand-typed
list, and are weighed by the words around them: a title ("Dr. Okafor", "DR JAJE"), a relation
("HIS WIFE MARY", "my son Roger"), a label ("Patient:", "Caller:", "Message from"), a credential after
("J.P., RN", "Brandon Fitzpatrick, MD"). Words that end a name: eponyms before a disease word
("Parkinson's disease", "Bell's palsy"), clinical vocabulary (drugs, devices), common English words.
"""

from __future__ import annotations

import re

from workbench.detect.lexicon import evidence, fold
from workbench.detect.recognizer import NameRecognizer
from workbench.kinds import IdentifierKind

# A capitalized word followed by one of these (after an optional 's) names a disease, a sign, a device
# or a place, not a person.
EPONYM_FOLLOWERS = frozenset(
    ["disease", "diseases", "syndrome", "syndromes", "palsy", "sign", "signs", "test", "tests", "lymphoma", "phenomenon", "thyroiditis", "dementia", "esophagus", "sarcoma", "disorder", "reflex", "maneuver", "manoeuvre", "score", "scale", "catheter", "criteria", "classification", "fracture", "procedure", "operation", "tube", "bag", "ulcer", "anemia", "anaemia", "tumor", "tumour", "node", "body", "bodies", "cell", "cells", "triad", "law", "formula", "equation", "stocking", "stockings", "hose", "boot", "splint", "brace", "coma", "encephalopathy", "neuralgia", "neuropathy", "contracture", "deformity", "cyst", "hernia", "disease's", "aneurysm", "block", "position", "solution", "method", "technique", "rule", "exam", "examination", "county", "parish", "street", "avenue", "road", "boulevard", "lane", "drive", "hospital", "clinic", "center", "centre", "university", "college", "school", "institute", "medical", "health", "healthcare", "pharmacy", "church"]
)

_NOT_PERSON = re.compile(r"[0-9_@/\\]")


def reject(word: str, following: str) -> bool:
    """True when `word` cannot be (part of) a name here: clinical vocabulary, or an eponym before `following`."""
    if _NOT_PERSON.search(word):
        return True
    if fold(following) in EPONYM_FOLLOWERS:
        return True
    return evidence(word).clinical


PERSON_NAME = NameRecognizer(
    name="person_name",
    kind=IdentifierKind.NAME,
    titles=frozenset(
        ["dr", "dr.", "doctor", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "mx", "mx.", "prof", "prof.", "professor", "sr", "sra", "srta", "herr", "frau", "mme", "mlle"]
    ),
    relations=frozenset(
        ["wife", "husband", "spouse", "partner", "son", "daughter", "mother", "father", "mom", "mum", "dad", "mama", "papa", "brother", "sister", "sibling", "child", "grandson", "granddaughter", "grandmother", "grandfather", "grandma", "grandpa", "niece", "nephew", "aunt", "uncle", "cousin", "fiance", "fiancee", "fiancé", "fiancée", "boyfriend", "girlfriend", "friend", "neighbor", "neighbour", "roommate", "guardian", "caregiver", "stepson", "stepdaughter", "stepmother", "stepfather", "proxy"]
    ),
    labels=frozenset(
        ["patient", "pt", "name", "caller", "from", "attending", "pcp", "referring", "provider", "physician", "resident", "nurse", "rn", "md", "dictated", "signed", "by", "message", "routed", "forwarded", "spoke", "seen", "reviewed", "read", "cc", "to", "dear", "hi", "hello", "thanks", "thank", "regards", "sincerely", "sender", "recipient", "contact", "kin", "np", "pa", "surgeon", "consultant", "interpreter", "witness"]
    ),
    credentials=frozenset(
        ["md", "m.d.", "do", "d.o.", "rn", "r.n.", "np", "pa", "pa-c", "aprn", "fnp", "crna", "cnm", "lpn", "lvn", "cna", "phd", "ph.d.", "pharmd", "rph", "dds", "dmd", "msw", "licsw", "lcsw", "rrt", "mbbs", "frcp", "facp", "dnp", "bsn", "msn", "psyd", "od", "dpm"]
    ),
    particles=frozenset(
        ["da", "de", "del", "della", "der", "den", "di", "do", "dos", "das", "du", "la", "le", "van", "von", "ter", "ten", "bin", "ibn", "al", "el", "mac", "mc", "o", "ni", "nic", "ua", "st", "y", "e"]
    ),
    function_words=frozenset(
        ["a", "an", "the", "and", "or", "but", "nor", "of", "at", "on", "in", "to", "for", "with", "by", "from", "as", "is", "are", "was", "were", "be", "been", "has", "have", "had", "do", "does", "did", "will", "would", "can", "could", "should", "may", "might", "must", "shall", "not", "no", "yes", "if", "then", "than", "that", "this", "these", "those", "there", "here", "who", "whom", "whose", "which", "what", "when", "where", "why", "how", "it", "its", "he", "she", "his", "her", "him", "hers", "they", "them", "their", "we", "us", "our", "you", "your", "i", "me", "my", "mine", "all", "any", "some", "each", "every", "per", "via", "vs", "w", "x", "s", "p", "about", "after", "before", "over", "under", "into", "onto", "upon", "out", "up", "down", "off", "again", "also", "only", "very", "so", "too", "just", "home", "today", "tonight", "tomorrow", "yesterday", "am", "pm"]
    ),
    context=(
        "name",
        "patient",
        "first",
        "last",
        "given",
        "family",
        "surname",
        "maiden",
        "owner",
        "caller",
        "contact",
        "kin",
        "guarantor",
        "subscriber",
        "signed",
        "wife",
        "husband",
        "son",
        "daughter",
        "mother",
        "father",
        "called",
        "dr",
    ),
    reject=reject,
)
