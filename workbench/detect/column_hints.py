"""What a column's name says about its content: a hint that sampled values then confirm or refute.

Names are matched after squashing (lower case, letters and digits only), so ``PATIENT_ID``,
``PatientId`` and ``PATIENTID`` read alike. Rules are tried in order and the first that matches
wins, so specific names come before the broad ones (``zipcode`` is a place before ``*code`` is a code).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from workbench.kinds import IdentifierKind as K

# identifier: the name says which kinds (SSN, NAME...); record_key: a key of a person-level record
# (OTHER_ID); maybe_key: id-like, a key only if its values are mostly distinct; not_identifier: a
# code, amount, category or someone else's key; description: a code's description, text in which
# sure findings still count; year: a year, unless its values are full dates; age: an age, PHI
# (a date element) when over 89; free_text: notes whose every finding counts.
HintRole = Literal[
    "identifier", "record_key", "maybe_key", "not_identifier", "description", "year", "age", "free_text"
]


@dataclass(frozen=True)
class NameHint:
    """What a column name suggests: its role, the kinds it implies, and why (for evidence)."""

    role: HintRole
    kinds: tuple[K, ...]
    why: str


@dataclass(frozen=True)
class NameRule:
    """A squashed-name regex (matched in full) and the hint it gives."""

    pattern: re.Pattern[str]
    hint: NameHint


def _rule(regex: str, role: HintRole, why: str, *kinds: K) -> NameRule:
    return NameRule(re.compile(regex), NameHint(role, kinds, why))


_NUMBER_WORDS = "id|number|num|no|nbr"
_NUMBER = f"(?:{_NUMBER_WORDS})?"  # an optional "...ID", "...NUMBER", "...NO" ending

RULES: tuple[NameRule, ...] = (
    _rule(r".*year", "year", "a year alone is not a Safe Harbor date element"),
    _rule(
        r"(?:patient|current|admission|admit|death|diagnosis|visit|encounter)?age"
        r"(?:years|yrs|inyears|atdeath|atdiagnosis|atvisit|atadmission|atencounter)?",
        "age",
        "an age: ages over 89 are Safe Harbor date elements",
        K.DATE,
    ),
    _rule(
        r"(?:primary|secondary|supervising|referring|attending|rendering|ordering|performing|billing)?"
        r"(?:provider|practitioner|organi[sz]ation|org|payer|insurer|facility|department|patientdepartment"
        r"|location|caresite|placeofservice|feeschedule|plan)(?:id|uuid|key|code|name|npi)?[0-9]*"
        r"|.*providerid",
        "not_identifier",
        "refers to a provider, organization or payer, not to the patient",
    ),
    _rule(
        r"(?:patient|member|subscriber|guarantor|insured)?(?:ssn|socialsecurity"
        + _NUMBER
        + r"|socsec"
        + _NUMBER
        + ")",
        "identifier",
        "social security number",
        K.SSN,
    ),
    _rule(
        r"vin|vehicle(?:identificationnumber|" + _NUMBER_WORDS + r")?|licen[cs]eplate|plate(?:number)?",
        "identifier",
        "vehicle identifier",
        K.VEHICLE_ID,
    ),
    _rule(
        r"drivers?|drivers?licen[cs]e"
        + _NUMBER
        + r"|dl|dln|dlnumber|licen[cs]e"
        + _NUMBER
        + r"|passport"
        + _NUMBER
        + r"|npi|dea"
        + _NUMBER
        + r"|certificate"
        + _NUMBER,
        "identifier",
        "licence, passport or certificate number",
        K.LICENSE,
    ),
    _rule(
        r"member(?:id|number|num|no)|mbi|medicare" + _NUMBER + r"|medicaid" + _NUMBER + r"|hicn"
        r"|beneficiary(?:id|number)?|subscriber(?:id|number)|policy(?:id|number|no)|.*insuranceid[0-9]*"
        r"|insurancenumber|healthplanid|groupnumber",
        "identifier",
        "health plan beneficiary number",
        K.HEALTH_PLAN_ID,
    ),
    _rule(
        r"mrn|medicalrecord" + _NUMBER + r"|chart(?:number|no)|e?mpi|enterprisemasterpatientindex",
        "identifier",
        "medical record number",
        K.MRN,
    ),
    _rule(
        r"account" + _NUMBER + r"|acct" + _NUMBER + r"|bankaccount|creditcard(?:number)?|cardnumber|iban",
        "identifier",
        "account number",
        K.ACCOUNT,
    ),
    _rule(
        r"udi|deviceid|device(?:serial)?(?:number|no)|serial(?:number|no)?|imei|macaddress",
        "identifier",
        "device identifier",
        K.DEVICE_ID,
    ),
    _rule(r".*e?mail(?:address)?", "identifier", "email address", K.EMAIL),
    _rule(r".*fax(?:number|no)?[0-9]*", "identifier", "fax number", K.FAX),
    _rule(
        r"(?:home|work|cell|mobile|contact|patient|primary|secondary|emergency|daytime|evening)?"
        r"(?:phone|telephone|tel|mobile|cell|cellphone|pager)(?:number|no|num)?[0-9]*",
        "identifier",
        "telephone number",
        K.PHONE,
    ),
    _rule(
        r"(?:patient|face|facial|profile|id|badge)?(?:photo|photograph|picture|portrait|headshot|selfie|mugshot"
        r"|faceimage|image)(?:s|id|url|path|file|blob|data)?[0-9]*",
        "identifier",
        "a photograph of a person",
        K.PHOTO,
    ),
    _rule(
        r".*(?:fingerprint|thumbprint|palmprint|voiceprint|retina|retinal|iris|biometric|facetemplate)"
        r"(?:scan|template|hash|data|blob|image|id)?[0-9]*",
        "identifier",
        "a biometric identifier",
        K.BIOMETRIC,
    ),
    _rule(r".*url|website|webpage|homepage", "identifier", "web address", K.URL),
    _rule(r"(?:client|remote|source|login)?ip(?:address|addr|v4|v6)?", "identifier", "IP address", K.IP),
    _rule(
        r"(?:first|last|middle|maiden|given|family|sur|full|display|patient|owner|mothers?|fathers?|guardian"
        r"|guarantor|spouse|contact|emergencycontact|nextofkin|kin|subscriber|insured|employer|relative|parent"
        r"|caregiver|preferred|legal|nick|birth)?name[0-9]*|first|last|middle|maiden|given|family|surname"
        r"|initials|employer|nextofkin|alias",
        "identifier",
        "a person's name",
        K.NAME,
    ),
    _rule(
        r".*address[0-9]*|.*addr[0-9]*|(?:address|addr)line[0-9]*|street|city|town|county|countyname|zip"
        r"|zipcode|zip5|zip4|postalcode|postcode|lat|lon|lng|latitude|longitude|geocode|geolocation|geo"
        r"|birthplace|placeofbirth|fips|countyfips|censustract|tract|blockgroup|precinct|neighbou?rhood"
        r"|borough|municipality",
        "identifier",
        "a place smaller than a state",
        K.GEO,
    ),
    _rule(
        r"birthdate|dob|birthday|birth|born|bornon|deathdate|dod|death|died|start|stop|end|onset|abatement"
        r"|admit|admission|discharge|admitted|discharged|recorded|issued|effective|expiration|expiry"
        # "LAST_UPDATED_BY" names who changed a row, not when: no date hint for names ending in "by"
        r"|(?!.*(?:validat|candidat|mandat|accommodat|consolidat|liquidat))(?!.*by$).*date.*"
        r"|.*datetime|.*timestamp|.*time[0-9]*|.*dttm|created(?:at|on)|updated(?:at|on)",
        "identifier",
        "a date or time",
        K.DATE,
    ),
    _rule(
        r"(?:patient|pat|pt|person|subject|individual|member|client|resident|enrollee|beneficiary|encounter|visit"
        r"|admission|claim|appointment|careplan"
        r"|order|charge|transaction|transferout|episode|case|specimen|accession|study|imagingstudy|series"
        r"|instance|sopinstance|report|document|condition|procedure|medication|immunization|observation"
        r"|allergy|supply|prescription|referral|record|row)?(?:id|uid|uuid|guid|key|pk)"
        r"|patient|person|subject|member|client|encounter|visit|claim|appointment|careplan|episode",
        "record_key",
        "key of a person-level record",
        K.OTHER_ID,
    ),
    _rule(
        r".*code[0-9]*|.*codes|system|codesystem|(?:diagnosis|diagnosisref|reaction|modifier|icd[0-9]*|snomed"
        r"|loinc|rxnorm|cpt|hcpcs|ndc|drg)[0-9]*",
        "not_identifier",
        "a clinical or billing code, not an identifier",
    ),
    _rule(
        r".*description[0-9]*|.*desc[0-9]*|.*display|reason|title|label",
        "description",
        "a description, not an identifier",
    ),
    _rule(
        r"prefix|suffix|marital(?:status)?|race|ethnicity|gender|sex|state.*|country.*|language|religion"
        r"|ownership|relationship|.*type[0-9]*|.*typeid[0-9]*|.*category|.*class|status.*|.*status|method"
        r"|severity[0-9]*|modality|bodysite|speciality|specialty|units?|.*unit",
        "not_identifier",
        "a category shared by many people, not an identifier",
    ),
    _rule(
        r".*(?:cost|amount|expense|coverage|payment|adjustment|transfers|outstanding|revenue|utilization|price"
        r"|balance|paid|fee|charges|total|dispenses|quantity|qty|count|months|qols|income|covered|customers).*",
        "not_identifier",
        "an amount or count, not an identifier",
    ),
    _rule(
        r".*(?:note|notes|comment|comments|narrative|remark|remarks|memo|text|message|impression|findings"
        r"|summary)[0-9]*",
        "free_text",
        "free text",
    ),
    _rule(r".*(?:id|uid|uuid|guid|key|number|num|nbr)[0-9]*", "maybe_key", "an identifier-like name"),
)

# Reference tables of organisations, providers, payers and facilities: the only tables whose names,
# addresses and phone numbers are not the patient's. A name alone is the evidence (with an optional
# warehouse prefix such as ``dim_`` or ``ref_``); anything else is read as if it were about people.
_REFERENCE_TABLE = re.compile(
    r"(?:dim|ref|lkp|lookup|master|mst|src|stg)?"
    r"(?:provider|practitioner|clinician|physician|prescriber|organi[sz]ation|org|payer|insurer"
    r"|insurancecompan(?:y|ie)|insuranceplan|healthplan|facilit(?:y|ie)|caresite|hospital|clinic"
    r"|pharmac(?:y|ie)|department|location)s?"
    r"(?:dim|ref|lookup|list|directory|master|registry)?"
)

# Columns that link a row to a person, or that only a table of people has: a reference table that
# has one is about people after all.
_PERSON_COLUMN = re.compile(
    r"(?:patient|pt|person|member|subject|beneficiary|enrollee|subscriber|client|resident|insured"
    r"|guarantor)(?:id|key|uuid|guid|ref|number|num|no|sk)?"
    r"|e?mpi|mrn|medicalrecordnumber|ssn|socialsecuritynumber|birthdate|dob|dateofbirth"
)

# Storage decorations that say nothing about content: ``ssn_txt``, ``phone_raw``, ``dob_str``.
_STORAGE_SUFFIX = re.compile(r"(?:txt|str|string|raw|val|value|plain|clear|orig|original|src|old|new)$")


def squash(name: str) -> str:
    """Lower case, letters and digits only: ``PATIENT_ID`` -> ``patientid``."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def hint_for(column: str) -> NameHint | None:
    """The hint of the first rule whose pattern matches the whole squashed `column` name, if any.

    A name no rule knows is tried again without a storage suffix (``ssn_txt`` reads as ``ssn``).
    """
    name = squash(column)
    for candidate in (name, _STORAGE_SUFFIX.sub("", name)):
        if not candidate:
            continue
        for rule in RULES:
            if rule.pattern.fullmatch(candidate):
                return rule.hint
    return None


def reference_table(table: str, column_names: Sequence[str]) -> bool:
    """True only on positive evidence that `table` lists organisations, providers, payers or facilities.

    The evidence is the table's name (``providers``, ``organizations``, ``payers``, ``dim_facility``)
    and the absence of any column that links a row to a person or that only a person has (a
    ``PATIENT`` key, an SSN, a birth date).
    """
    if not _REFERENCE_TABLE.fullmatch(squash(table.rsplit(".", 1)[-1])):
        return False
    return not any(_PERSON_COLUMN.fullmatch(squash(column)) for column in column_names)


def is_person_level(table: str, column_names: Sequence[str]) -> bool:
    """Whether the names, places and numbers in `table` may be a patient's: fails safe.

    Every table is person-level (its values are read and flagged) unless `reference_table` finds
    positive evidence that it lists organisations, providers, payers or facilities. A table is
    never cleared merely for lacking a recognised patient link.
    """
    return not reference_table(table, column_names)
