"""Clinical notes with gold PHI spans, written about the generated hospital's patients.

A note is composed by a template: a small function that adds lines to a `Draft`. Literal text and
non-identifying values enter as plain strings; every identifier enters as a `Phi(kind, text)`, so its span
is recorded at the moment it is written and the gold standard cannot drift from the text. Offsets are in
Unicode code points, end exclusive.

Labeling conventions (the README repeats them):
- NAME covers the name only, not titles or credentials: `Dr. [Okafor]`, `[Mary Kowalski], RN`.
- DATE covers any date carrying a month or day (`7/22`, `22-Jul`, `July 22, 2019`, `the [3rd]`) and ages over
  89 (the digits only: `[92] yo`). A year alone (`in 2019`) and ages up to 89 are not labeled.
- GEO covers street address, city, county and ZIP separately; a state alone is not labeled.
- LICENSE (certificate/licence numbers, Safe Harbor (K)): DEA numbers, NPIs, driver's licences, passport
  numbers, state medical licences. OTHER_ID: radiology accession numbers. ACCOUNT: hospital accounts and claim numbers. HEALTH_PLAN_ID: member ids,
  Medicare MBIs, Medicaid ids.
- BIOMETRIC covers the biometric named (`[palm vein scan]`); PHOTO the image reference (`[photo_2021_03.jpg]`,
  `see attached [facial photograph]`, `[full-face photograph]`).

Held-out templates use phrasings that the train templates never use, so an evaluation on them is not
circular. Distractors that look like identifiers but are not (lab strings, blood pressures, doses,
eponymous diseases, drug names, years alone, state names) are written as plain text; `DISTRACTORS` lists
patterns that find them.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import random
import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Literal, NamedTuple

from synthgen import identifiers as ids
from synthgen.hospital import Hospital, Patient, Provider, age_on
from synthgen.people import Person, Population, ascii_fold
from workbench.kinds import IdentifierKind as K

Split = Literal["train", "heldout"]
NameStyle = Literal["full", "last_first", "last", "first", "initial_last", "initials"]
Relation = Literal["wife", "husband", "son", "daughter", "mother", "father"]
HELDOUT_EVERY = (3, 6, 9)  # note i is held out when i % 10 is one of these: 30%


class Phi(NamedTuple):
    """An identifier about to be written: its kind and its exact surface text."""

    kind: K
    text: str


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: K
    text: str


@dataclass(frozen=True)
class Note:
    id: str
    style: str
    split: Split
    text: str
    spans: tuple[Span, ...]


class Draft:
    """Text under construction that records a span for every `Phi` it is given."""

    def __init__(self, caps: bool = False) -> None:
        self.caps = caps
        self._parts: list[str] = []
        self._length = 0
        self.spans: list[Span] = []

    def _put(self, piece: str, kind: K | None) -> None:
        if self.caps:
            piece = piece.upper()
        if kind is not None:
            assert piece and piece == piece.strip(), f"span text must be trimmed and non-empty: {piece!r}"
            self.spans.append(Span(self._length, self._length + len(piece), kind, piece))
        self._parts.append(piece)
        self._length += len(piece)

    def add(self, template: str, **fields: str | Phi) -> Draft:
        """Append `template` with `{field}`s filled; a `Phi` field becomes a span."""
        for literal, name, _, _ in string.Formatter().parse(template):
            if literal:
                self._put(literal, None)
            if name is not None:
                value = fields[name]
                if isinstance(value, Phi):
                    self._put(value.text, value.kind)
                else:
                    self._put(value, None)
        return self

    def line(self, template: str = "", **fields: str | Phi) -> Draft:
        return self.add(template + "\n", **fields)

    @property
    def text(self) -> str:
        return "".join(self._parts)


# --- distractors ----------------------------------------------------------------------------------------

EPONYMS = (
    "Parkinson's disease",
    "Addison disease",
    "Bell's palsy",
    "Crohn's disease",
    "Hashimoto thyroiditis",
    "Graves disease",
    "Cushing syndrome",
    "Lyme disease",
    "Alzheimer's dementia",
    "Hodgkin lymphoma",
    "Raynaud phenomenon",
    "Barrett esophagus",
)
DRUGS = (
    ("Coumadin", "5 mg"),
    ("Lasix", "40 mg"),
    ("Zofran", "4 mg"),
    ("Protonix", "40 mg"),
    ("Keppra", "500 mg"),
    ("Sinemet", "25 mg"),
    ("Eliquis", "5 mg"),
    ("metoprolol", "25 mg"),
    ("insulin glargine", "12 units"),
    ("Florinef", "0.1 mg"),
)
STATES_ALONE = ("Ohio", "Florida", "Texas", "Maine", "Vermont", "Arizona")

# (name, regex) — every match is a distractor: present in the corpus, never inside a span.
DISTRACTORS: tuple[tuple[str, str], ...] = (
    ("blood pressure", r"(?i)\bBP:? ?(\d{2,3}/\d{2,3})\b"),
    ("ABG, pH first", r"\b\d\.\d{2}/\d{2}/\d{2,3}/\d{2}/-?\d\b"),
    ("ABG, pO2 first", r"\b\d{2,3}/\d{2}/\d\.\d{2}/\d{2}/-?\d\b"),
    ("dose", r"(?i)\b\d+(?:\.\d+)? (?:mg|mcg|units)\b"),
    ("run-on SHIFT.PR", r"SHIFT\.PR"),
    ("run-on NECESSARY.PT", r"NECESSARY\.PT"),
    ("year alone", r"(?i)\b(?:in|since) (?:19|20)\d{2}\b"),
    ("age up to 89", r"(?i)\b[1-8]?\d(?: ?(?:yo|y/o)\b|-year-old\b| year old\b)|\b[1-8]?\dY [MF]\b"),
    ("half tablet", r"(?i)\b1/2 tab"),
    ("Glasgow Coma Scale", r"(?i)Glasgow Coma Scale"),
    ("state alone", r"(?i)\b(?:" + "|".join(STATES_ALONE) + r")\b"),
    *((f"eponym {e}", "(?i)" + re.escape(e)) for e in EPONYMS),
    *((f"drug {d}", "(?i)" + re.escape(d)) for d, _ in DRUGS),
)

# --- formats -------------------------------------------------------------------------------------------

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip


def ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


DATE_FORMATS: dict[str, Callable[[date], str]] = {
    "m/d": lambda d: f"{d.month}/{d.day}",
    "mm/dd/yyyy": lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}",
    "m/d/yy": lambda d: f"{d.month}/{d.day}/{d.year % 100:02d}",
    "iso": lambda d: d.isoformat(),
    "d-Mon": lambda d: f"{d.day}-{MONTHS[d.month - 1][:3]}",
    "dd-Mon-yyyy": lambda d: f"{d.day:02d}-{MONTHS[d.month - 1][:3]}-{d.year}",
    "Month d, yyyy": lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    "Mon d": lambda d: f"{MONTHS[d.month - 1][:3]} {d.day}",
    "d Month yyyy": lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    "Month dth": lambda d: f"{MONTHS[d.month - 1]} {ordinal(d.day)}",
    "ordinal": lambda d: ordinal(d.day),
}
SHORT_DATES = ("m/d", "d-Mon", "Mon d", "m/d/yy")
FULL_DATES = ("mm/dd/yyyy", "iso", "dd-Mon-yyyy", "Month d, yyyy", "d Month yyyy", "m/d/yy")
BIOMETRICS = ("palm vein scan", "fingerprint scan", "iris scan", "voice print", "right index fingerprint")
PHOTO_FILES = (
    "photo_{y}_{m:02d}.jpg",
    "IMG_{n}.HEIC",
    "face_{y}{m:02d}{d:02d}.png",
    "PXL_{y}{m:02d}{d:02d}_{n}.jpg",
)


# --- the chart: what the notes know about a patient -------------------------------------------------------


@dataclass
class Credentials:
    npi: str
    dea: str
    license: str
    fax: str
    phone: str


@dataclass
class Chart:
    patient: Patient
    mrn: str
    account: str
    cell: str
    email: str
    plan: str  # payer name as written in notes
    plan_id: str
    relatives: dict[Relation, Person] = field(default_factory=dict)


def _plan(rng: random.Random, patient: Patient) -> tuple[str, str]:
    payer = patient.coverages[-1].payer.name
    if payer in ("Medicare", "Dual Eligible"):
        return "Medicare", ids.mbi(rng, dashed=rng.random() < 0.7)
    if payer == "Medicaid":
        return "MassHealth", ids.medicaid_id(rng)
    if payer == "NO_INSURANCE":
        return "Blue Cross Blue Shield", ids.member_id(rng)  # insured since the export date
    return payer, ids.member_id(rng)


class Ctx:
    """Everything a template draws on: the chart, the note's date, a seeded rng and formatters."""

    def __init__(
        self, rng: random.Random, pop: Population, hospital: Hospital, chart: Chart, day: date
    ) -> None:
        self.rng, self.pop, self.hospital, self.chart, self.day = rng, pop, hospital, chart, day
        self.patient = chart.patient
        self.person = chart.patient.person
        self._creds: dict[str, Credentials] = {}

    # people

    def name(self, person: Person, style: NameStyle = "full") -> Phi:
        first, last = person.first, person.last
        text = {
            "full": f"{first} {last}",
            "last_first": f"{last}, {first}",
            "last": last,
            "first": first,
            "initial_last": f"{first[0]}. {last}",
            "initials": f"{first[0]}.{last[0]}.",
        }[style]
        return Phi(K.NAME, text)

    def relative(self, relation: Relation) -> Person:
        """The patient's relative in this role; the same person in every note about the patient."""
        rels = self.chart.relatives
        if relation in ("wife", "husband") and self.patient.spouse:
            return self.patient.spouse
        if relation not in rels:
            female = relation in ("wife", "daughter", "mother")
            same_last = self.rng.random() < 0.8
            kin = self.pop.relative(self.person, "F" if female else "M", same_last)
            for _ in range(5):  # small name lists repeat; a relative should not share the first name
                if kin.first != self.person.first:
                    break
                kin = self.pop.relative(self.person, kin.sex, same_last)
            rels[relation] = kin
        return rels[relation]

    @property
    def minor(self) -> bool:
        return age_on(self.patient.birthdate, self.day) < 18

    def spouse_word(self) -> Relation:
        """The patient's partner; for a child, a parent."""
        if self.minor:
            return self.rng.choice(("mother", "father"))
        return "wife" if self.person.sex == "M" else "husband"

    def child_word(self) -> Relation:
        """The patient's grown child; for a child, a parent."""
        choices: tuple[Relation, ...] = ("mother", "father") if self.minor else ("daughter", "son")
        return self.rng.choice(choices)

    def dependent_word(self, informal: bool = False) -> str:
        """How the relative who writes in calls the patient: `mom`, `father`, or `son` for a child."""
        if self.minor:
            return "son" if self.person.sex == "M" else "daughter"
        if informal:
            return "dad" if self.person.sex == "M" else "mom"
        return "father" if self.person.sex == "M" else "mother"

    def provider(self, speciality: str | None = None) -> Provider:
        pool = [p for p in self.hospital.providers if speciality in (None, p.speciality)]
        return self.rng.choice(pool or self.hospital.providers)

    def creds(self, provider: Provider) -> Credentials:
        if provider.id not in self._creds:
            r = random.Random(f"credentials:{provider.id}")  # stable per provider across notes
            self._creds[provider.id] = Credentials(
                npi=ids.npi(r),
                dea=ids.dea(r, ascii_fold(provider.person.last) or "X"),
                license=ids.state_license(r),
                fax=ids.phone_digits(r, provider.organization.phone[:3]),
                phone=provider.organization.phone,
            )
        return self._creds[provider.id]

    # dates and ages

    def when(self, d: date, *styles: str) -> Phi:
        style = self.rng.choice(styles or FULL_DATES)
        return Phi(K.DATE, DATE_FORMATS[style](d))

    def age(self, on: date | None = None) -> str | Phi:
        years = age_on(self.patient.birthdate, on or self.day)
        return Phi(K.DATE, str(years)) if years > 89 else str(years)

    def sex_word(self, caps: bool = False) -> str:
        if caps:
            return "M" if self.person.sex == "M" else "F"
        if self.minor:
            return "boy" if self.person.sex == "M" else "girl"
        return "man" if self.person.sex == "M" else "woman"

    def pronoun(self) -> str:
        return "he" if self.person.sex == "M" else "she"

    def possessive(self) -> str:
        return "his" if self.person.sex == "M" else "her"

    def days_after(self, lo: int, hi: int) -> date:
        return self.day + timedelta(days=self.rng.randint(lo, hi))

    def days_before(self, lo: int, hi: int) -> date:
        return self.day - timedelta(days=self.rng.randint(lo, hi))

    # contact details and places

    def phone(self, digits: str | None = None, kind: K = K.PHONE) -> Phi:
        digits = digits or ids.phone_digits(self.rng)
        return Phi(kind, ids.format_phone(digits, self.rng.randrange(7)))

    def fax(self, digits: str | None = None) -> Phi:
        return self.phone(digits, K.FAX)

    def email(self, person: Person | None = None) -> Phi:
        if person is None:
            return Phi(K.EMAIL, self.chart.email)
        return Phi(K.EMAIL, self.pop.email(self.rng, person))

    def street(self) -> Phi:
        return Phi(K.GEO, self.patient.address.street)

    def city(self) -> Phi:
        return Phi(K.GEO, self.patient.address.city)

    def other_city(self) -> Phi:
        return Phi(K.GEO, self.pop.us.city())

    def county(self) -> Phi:
        return Phi(K.GEO, self.patient.address.county)

    def zip(self) -> Phi:
        return Phi(K.GEO, self.patient.address.zip)

    def state(self) -> str:
        return self.patient.address.state.abbr

    def url(self) -> Phi:
        first, last = ascii_fold(self.person.first).lower(), ascii_fold(self.person.last).lower()
        shapes = (
            f"https://www.caringbridge.org/visit/{first}{last}",
            f"https://www.gofundme.com/f/help-{first}-{last}",
            f"https://www.facebook.com/{first}.{last}.{self.rng.randint(10, 99)}",
            f"https://{self.pop.domain()}/{first}-{last}",
            f"http://www.{self.pop.domain()}/~{first[:1]}{last}",
        )
        return Phi(K.URL, self.rng.choice(shapes))

    def portal_url(self) -> Phi:
        return Phi(K.URL, f"https://mychart.{self.pop.domain()}/patient/{self.chart.mrn}")

    def ip(self, version: int | None = None) -> Phi:
        if (version or self.rng.choice((4, 4, 6))) == 4:
            return Phi(K.IP, self.pop.ipv4())
        return Phi(K.IP, str(ipaddress.IPv6Address(self.pop.ipv6())))

    # identifiers

    def mrn(self) -> Phi:
        return Phi(K.MRN, self.chart.mrn)

    def account(self) -> Phi:
        return Phi(K.ACCOUNT, self.chart.account)

    def claim(self) -> Phi:
        return Phi(K.ACCOUNT, ids.claim_number(self.rng, self.days_before(3, 60)))

    def plan_id(self) -> Phi:
        return Phi(K.HEALTH_PLAN_ID, self.chart.plan_id)

    def ssn(self) -> Phi:
        return Phi(K.SSN, self.patient.ssn)

    def other_ssn(self) -> Phi:
        return Phi(K.SSN, ids.ssn_issued_shape(self.rng))

    def drivers_license(self) -> Phi:
        return Phi(K.LICENSE, self.patient.drivers or "S" + ids.digits(self.rng, 8))

    def passport(self) -> Phi:
        return Phi(K.LICENSE, self.patient.passport or ids.synthea_passport(self.rng))

    def serial(self) -> Phi:
        return Phi(K.DEVICE_ID, ids.device_serial(self.rng))

    def udi(self) -> Phi:
        made = self.days_before(90, 700)
        return Phi(K.DEVICE_ID, ids.udi(self.rng, made, made + timedelta(days=3650)))

    def vehicle(self) -> tuple[str, Phi]:
        wmi, make, models = self.rng.choice(ids.VEHICLE_MAKES)
        year = self.rng.randint(2008, min(self.day.year, 2024))
        return f"{year} {make} {self.rng.choice(models)}", Phi(K.VEHICLE_ID, ids.vin(self.rng, wmi, year))

    def plate(self) -> Phi:
        return Phi(K.VEHICLE_ID, ids.plate(self.rng))

    def biometric(self, *names: str) -> Phi:
        return Phi(K.BIOMETRIC, self.rng.choice(names or BIOMETRICS))

    def photo_file(self) -> Phi:
        d = self.days_before(0, 20)
        shape = self.rng.choice(PHOTO_FILES)
        return Phi(K.PHOTO, shape.format(y=d.year, m=d.month, d=d.day, n=self.rng.randint(1000, 9999)))

    def accession(self) -> Phi:
        return Phi(K.OTHER_ID, ids.accession(self.rng, self.day))

    # distractors

    def vitals(self) -> str:
        r = self.rng
        return (
            f"BP {r.randint(98, 168)}/{r.randint(54, 96)} HR {r.randint(58, 112)} RR {r.randint(12, 24)} "
            f"T {r.uniform(36.4, 38.6):.1f} SpO2 {r.randint(90, 100)}%"
        )

    def abg(self) -> str:
        r = self.rng
        ph, pco2, po2, hco3, be = (
            f"7.{r.randint(28, 46)}",
            r.randint(34, 52),
            r.randint(62, 118),
            r.randint(19, 29),
            r.randint(-4, 3),
        )
        if r.random() < 0.5:
            return f"{ph}/{pco2}/{po2}/{hco3}/{be}"
        return f"{po2}/{pco2}/{ph}/{hco3}/{be}"

    def eponym(self) -> str:
        return self.rng.choice(EPONYMS)

    def drug(self) -> str:
        name, dose = self.rng.choice(DRUGS)
        return f"{name} {dose}"

    def year_ago(self) -> str:
        """A past year within the patient's life (written alone, so not an identifier)."""
        age = age_on(self.patient.birthdate, self.day)
        return str(self.day.year - self.rng.randint(1, max(1, min(15, age))))

    def state_alone(self) -> str:
        return self.rng.choice(STATES_ALONE)


# --- templates -----------------------------------------------------------------------------------------

TemplateFn = Callable[[Draft, Ctx], None]


@dataclass(frozen=True)
class Template:
    style: str
    split: Split
    caps: bool
    write: TemplateFn


def nursing_train(d: Draft, c: Ctx) -> None:
    r = c.rng
    rn = c.pop.person(r)
    kin_word = c.spouse_word()
    kin = c.relative(kin_word)
    d.line("{t} NSG NOTE", t=f"{r.randint(6, 22):02d}{r.choice(('00', '30'))}")
    d.line(
        "PT IS A {age} YO {sex} ADMITTED {adm} FROM {city} W/ {cc}. A&O X3.",
        age=c.age(),
        sex=c.sex_word(caps=True),
        adm=c.when(c.day, *SHORT_DATES),
        city=c.city(),
        cc=r.choice(("SOB", "CP", "FALL AT HOME", "N/V", "AMS", "FEVER")),
    )
    history = "ASTHMA, ECZEMA. RSV BRONCHIOLITIS" if c.minor else "HTN, DM2. HX MI"
    d.line("MRN {mrn}. PMH: {ep}, {hx} IN {yr}.", mrn=c.mrn(), ep=c.eponym(), hx=history, yr=c.year_ago())
    d.line("VS: {vs} ON 2L NC.", vs=c.vitals())
    if r.random() < 0.6:
        d.line("ABG {abg}. LYTES REPLETED PER SLIDING SCALE.", abg=c.abg())
    d.line("NEURO: MAE, FOLLOWS COMMANDS, GLASGOW COMA SCALE 15.")
    d.line("CV: SR 70S-80S, NO ECTOPY. {drug} PO GIVEN AS ORDERED, 1/2 TAB HELD FOR SBP<100.", drug=c.drug())
    d.line("GU: FOLEY DRAINING CLEAR YELLOW URINE. NO ACUTE EVENTS THIS SHIFT.PRN TYLENOL X1 FOR HA.")
    d.line("ACCESS: L FA PIV, INFUSION PUMP SN {sn} CHANGED.", sn=c.serial())
    if r.random() < 0.5:
        d.line(
            "PT ID CONFIRMED BY {bio} AT PYXIS PER PROTOCOL.",
            bio=c.biometric("palm vein scan", "fingerprint scan"),
        )
    d.line(
        "SOCIAL: {pts} {rel} {name} AT BEDSIDE, UPDATED. {their} CELL {phone}.",
        pts=c.possessive(),
        rel=kin_word,
        name=c.name(kin, "first"),
        their="her" if kin.sex == "F" else "his",
        phone=c.phone(c.chart.cell),
    )
    doc = c.provider()
    d.line(
        "PLAN: CONT POC, F/U {fu} W/ DR {doc}. WILL NOTIFY HO IF NECESSARY.PT RESTING COMFORTABLY.",
        fu=c.when(c.days_after(7, 30), "m/d", "d-Mon"),
        doc=c.name(doc.person, "last"),
    )
    d.line("{rn}, RN", rn=c.name(rn, r.choice(("initial_last", "initials"))))


def discharge_train(d: Draft, c: Ctx) -> None:
    r = c.rng
    attending, pcp = c.provider(), c.provider("GENERAL PRACTICE")
    ac, pc = c.creds(attending), c.creds(pcp)
    adm = c.day
    dis = c.days_after(1, 8)
    she, her = c.pronoun(), c.possessive()
    d.line("DISCHARGE SUMMARY")
    d.line()
    d.line(
        "Patient: {name}    MRN: {mrn}    Acct #: {acct}",
        name=c.name(c.person, "last_first"),
        mrn=c.mrn(),
        acct=c.account(),
    )
    d.line(
        "DOB: {dob}    Admission Date: {adm}    Discharge Date: {dis}",
        dob=c.when(c.patient.birthdate, "mm/dd/yyyy"),
        adm=c.when(adm, "mm/dd/yyyy"),
        dis=c.when(dis, "mm/dd/yyyy"),
    )
    d.line("Attending: {att}, MD (NPI {npi})", att=c.name(attending.person), npi=Phi(K.LICENSE, ac.npi))
    d.line("PCP: Dr. {pcp}, fax: {fax}", pcp=c.name(pcp.person, "last"), fax=c.fax(pc.fax))
    d.line()
    d.line("HISTORY OF PRESENT ILLNESS:")
    rel = c.child_word()
    d.line(
        "{title} {last} is a {age}-year-old {sex} with a history of {ep} and hypertension since {yr} who presented "
        "to the emergency department on {adm} with {cc}. Symptoms began on the {onset}. {She} lives with {her} "
        "{rel} {relname} in {city}.",
        title="Mr." if c.person.sex == "M" else "Ms.",
        last=c.name(c.person, "last"),
        age=c.age(),
        sex=c.sex_word(),
        ep=c.eponym(),
        yr=c.year_ago(),
        adm=c.when(adm, "Month d, yyyy"),
        cc=r.choice(("dyspnea on exertion", "a mechanical fall", "chest pressure", "fever and dysuria")),
        onset=c.when(c.days_before(1, 6), "ordinal"),
        She=she.capitalize(),
        her=her,
        rel=rel,
        relname=c.name(c.relative(rel)),
        city=c.city(),
    )
    d.line()
    d.line("HOSPITAL COURSE:")
    d.line(
        "Admitted to medicine. Initial {vs}. ABG {abg}. Started on {drug} with improvement; "
        "{she} was transitioned back to Coumadin 5 mg daily. Blood pressure at discharge was BP {bp}.",
        vs=c.vitals(),
        abg=c.abg(),
        drug=c.drug(),
        she=she,
        bp=f"{r.randint(104, 142)}/{r.randint(60, 88)}",
    )
    if r.random() < 0.7:
        d.line(
            "The {dev} was interrogated and functioning normally (serial {sn}; UDI {udi}).",
            dev=r.choice(("dual-chamber pacemaker", "implantable defibrillator", "insulin pump")),
            sn=c.serial(),
            udi=c.udi(),
        )
    else:
        d.line("Device: continuous glucose monitor, serial number {sn}.", sn=c.serial())
    d.line()
    d.line("DISCHARGE MEDICATIONS:")
    for i, (drug, dose) in enumerate(r.sample(DRUGS, r.randint(2, 4))):
        d.line("{i}. {drug} {dose} PO daily", i=str(i + 1), drug=drug, dose=dose)
    d.line("Prescriptions e-prescribed under DEA {dea}.", dea=Phi(K.LICENSE, ac.dea))
    d.line()
    d.line("INSURANCE: {plan} member ID {mid}.", plan=c.chart.plan, mid=c.plan_id())
    if r.random() < 0.5:
        d.line("SSN on file: {ssn}.", ssn=c.ssn())
    d.line()
    d.line("FOLLOW-UP:")
    d.line(
        "Dr. {pcp} on {fu}. Call {phone} with questions.",
        pcp=c.name(pcp.person, "last"),
        fu=c.when(c.days_after(7, 21), "Month d, yyyy", "m/d"),
        phone=c.phone(pc.phone),
    )
    d.line(
        "Home address confirmed: {street}, {city}, {st} {zip} ({county}).",
        street=c.street(),
        city=c.city(),
        st=c.state(),
        zip=c.zip(),
        county=c.county(),
    )
    d.line()
    d.line(
        "Electronically signed by {att}, MD on {day}",
        att=c.name(attending.person),
        day=c.when(dis, "mm/dd/yyyy"),
    )


def portal_train(d: Draft, c: Ctx) -> None:
    r = c.rng
    pcp = c.provider("GENERAL PRACTICE")
    rel = c.child_word()
    relative = c.relative(rel)
    d.line("From: {name} <{email}>", name=c.name(c.person), email=c.email())
    d.line(
        "Sent: {day} 9:{mm} PM",
        day=c.when(c.day, "Month d, yyyy", "mm/dd/yyyy"),
        mm=f"{r.randint(0, 59):02d}",
    )
    d.line("To: Primary Care Team")
    d.line(
        "Subject: {subj}", subj=r.choice(("rash getting worse", "question about my pills", "refill + forms"))
    )
    d.line()
    d.line("Hi Dr. {doc},", doc=c.name(pcp.person, "last"))
    d.line(
        "I've had this rash on my arm since the {onset} and it's spreading. I uploaded a picture ({photo}) so you "
        "can see it. My BP this morning was {bp} if that matters. I'm still taking {drug} like you said.",
        onset=c.when(c.days_before(2, 9), "ordinal"),
        photo=c.photo_file(),
        bp=f"{r.randint(118, 156)}/{r.randint(70, 96)}",
        drug=c.drug(),
    )
    d.line(
        "My {rel} {relname} can pick up the prescription, {their} number is {phone}.",
        rel=rel,
        relname=c.name(relative, "first"),
        their="her" if relative.sex == "F" else "his",
        phone=c.phone(),
    )
    if r.random() < 0.5:
        d.line("Also can you renew my handicap placard? Plate is {plate}.", plate=c.plate())
    else:
        d.line(
            "The DMV form for the placard needs my license # {dl} and my plate {plate}.",
            dl=c.drivers_license(),
            plate=c.plate(),
        )
    d.line("For the proxy form, my driver's license number is {dl}.", dl=c.drivers_license())
    d.line(
        "We moved here from {st} in {yr} so my old records might be there.",
        st=c.state_alone(),
        yr=c.year_ago(),
    )
    d.line("Thanks so much,")
    d.line("{first}", first=c.name(c.person, "first"))
    d.line()
    d.line("-- sent via {url} from IP {ip}", url=c.portal_url(), ip=c.ip(4))


def radiology_train(d: Draft, c: Ctx) -> None:
    r = c.rng
    ordering, rad = c.provider(), c.provider()
    exam, finding = r.choice(
        (
            ("CT HEAD WITHOUT CONTRAST", "No acute intracranial hemorrhage, mass effect or midline shift."),
            ("CHEST RADIOGRAPH, 2 VIEWS", "Lungs are clear. No pleural effusion or pneumothorax."),
            ("CT ABDOMEN/PELVIS WITH CONTRAST", "Uncomplicated appendicitis. No free air."),
        )
    )
    d.line("EXAM: {exam}", exam=exam)
    d.line(
        "PATIENT: {name}    MRN: {mrn}    DOB: {dob}",
        name=c.name(c.person, "last_first"),
        mrn=c.mrn(),
        dob=c.when(c.patient.birthdate, "mm/dd/yyyy"),
    )
    d.line("ACCESSION: {acc}    DATE OF SERVICE: {dos}", acc=c.accession(), dos=c.when(c.day, "mm/dd/yyyy"))
    d.line(
        "ORDERING PROVIDER: {doc}, MD (NPI {npi})",
        doc=c.name(ordering.person),
        npi=Phi(K.LICENSE, c.creds(ordering).npi),
    )
    d.line()
    d.line(
        "CLINICAL HISTORY: {age} year old {sex} status post fall; history of {ep}.",
        age=c.age(),
        sex=c.sex_word(),
        ep=c.eponym(),
    )
    d.line(
        "COMPARISON: Outside study from {city} dated {prior}.",
        city=c.other_city(),
        prior=c.when(c.days_before(40, 700), "mm/dd/yyyy", "Month d, yyyy"),
    )
    d.line(
        "TECHNIQUE: Standard protocol. Patient has a {dev} (serial {sn}), cleared for scanning.",
        dev=r.choice(("cardiac pacemaker", "spinal cord stimulator", "cochlear implant")),
        sn=c.serial(),
    )
    d.line(
        "Identity confirmed against the {photo} in the chart prior to contrast.",
        photo=Phi(K.PHOTO, "facial photograph"),
    )
    d.line()
    d.line("FINDINGS: {f}", f=finding)
    d.line("IMPRESSION: {f}", f=finding.split(".")[0] + ".")
    d.line()
    d.line(
        "Dictated by: Dr. {rad}    Signed: {day} {t}",
        rad=c.name(rad.person, "last"),
        day=c.when(c.day, "mm/dd/yyyy"),
        t=f"{r.randint(7, 22)}:{r.randint(0, 59):02d}",
    )


def telephone_train(d: Draft, c: Ctx) -> None:
    r = c.rng
    rel = c.spouse_word() if r.random() < 0.5 else c.child_word()
    caller = c.relative(rel)
    d.line("TELEPHONE ENCOUNTER    {day}", day=c.when(c.day, "mm/dd/yyyy"))
    d.line("Caller: {name} ({rel}) at {phone}", name=c.name(caller), rel=rel, phone=c.phone())
    d.line(
        "Patient: {pt}, DOB {dob}, MRN {mrn}",
        pt=c.name(c.person),
        dob=c.when(c.patient.birthdate, "mm/dd/yyyy", "m/d/yy"),
        mrn=c.mrn(),
    )
    d.line("Caller identity verified by {bio} on file.", bio=c.biometric("voice print"))
    d.line()
    d.line(
        "Reason for call: {plan} denied claim {claim} for the ED visit on {visit}. Member ID given as {mid}.",
        plan=c.chart.plan,
        claim=c.claim(),
        visit=c.when(c.days_before(10, 60), "m/d", "Mon d"),
        mid=c.plan_id(),
    )
    car, vin = c.vehicle()
    d.line(
        "Also: auto insurer requests records for the MVA of {mva}; vehicle {car}, VIN {vin}.",
        mva=c.when(c.days_before(10, 90), "m/d/yy", "Month d, yyyy"),
        car=car,
        vin=vin,
    )
    d.line(
        "Records to be faxed to {fax} once release signed. Release form link: {url}",
        fax=c.fax(),
        url=c.portal_url(),
    )
    if r.random() < 0.5:
        d.line("Caller gave patient's SSN {ssn} for the release.", ssn=c.ssn())
    else:
        d.line("Policy holder is the caller, SSN {ssn}.", ssn=c.other_ssn())
    d.line("Medication question: taking {drug}; advised to hold if SBP < 100.", drug=c.drug())
    d.line()
    d.line(
        "Routed to Dr. {doc}. {rn}, RN", doc=c.name(c.provider().person, "last"), rn=c.name(c.pop.person(r))
    )


def nursing_heldout(d: Draft, c: Ctx) -> None:
    r = c.rng
    rel = c.child_word()
    kid = c.relative(rel)
    d.line(
        "0700-1900 RN PROGRESS NOTE. {name} (MR# {mrn}) {age}Y {sex} HD#{hd}, DOB {dob}",
        name=c.name(c.person, "last_first"),
        mrn=Phi(K.MRN, c.chart.mrn.zfill(9)),
        age=c.age(),
        sex=c.sex_word(caps=True),
        hd=str(r.randint(2, 9)),
        dob=c.when(c.patient.birthdate, "m/d/yy", "dd-Mon-yyyy"),
    )
    d.line("PMH: {ep}, CKD, AFIB ON {drug}. DX'D IN {yr}.", ep=c.eponym(), drug=c.drug(), yr=c.year_ago())
    d.line("HEMODYNAMICS: SBP 110-130S, {vs}.", vs=c.vitals())
    d.line("LABS: K 3.9, MG 2.0, ABG {abg}.", abg=c.abg())
    d.line("LINES: R IJ TLC DAY 3, PCA PUMP #{sn} (BIOMED TAG {sn2}).", sn=c.serial(), sn2=c.serial())
    d.line(
        "RESP: WEANED TO 2L, STRONG COUGH. NO EVENTS OVERNIGHT; SLEPT WELL THIS SHIFT.PRN ZOFRAN GIVEN X1."
    )
    d.line(
        "FAMILY: {rel} {name} CALLED FROM {city} IN {county}, NUMBER {phone}. WILL VISIT ON THE {visit}.",
        rel=rel.upper(),
        name=c.name(kid),
        city=c.other_city(),
        county=Phi(K.GEO, f"{c.pop.last_name('en_US')} County"),
        phone=c.phone(),
        visit=c.when(c.days_after(1, 5), "ordinal"),
    )
    d.line(
        "ID BAND CHECKED, {bio} MATCHED AT ADMISSION.",
        bio=c.biometric("iris scan", "right index fingerprint"),
    )
    d.line(
        "DISPO: HOME WITH VNA VS REHAB IN {st}. WILL PAGE COVERING MD IF NECESSARY.PT AGREES W/ PLAN. F/U {fu}.",
        st=c.state_alone(),
        fu=c.when(c.days_after(7, 28), "m/d/yy", "d-Mon"),
    )
    d.line("-- {rn}, RN", rn=c.name(c.pop.person(r), "initials"))


def discharge_heldout(d: Draft, c: Ctx) -> None:
    r = c.rng
    doc, pcp = c.provider(), c.provider("GENERAL PRACTICE")
    dc = c.creds(doc)
    adm, dis = c.day, c.days_after(2, 10)
    nok_rel = c.spouse_word() if c.patient.spouse else c.child_word()
    nok = c.relative(nok_rel)
    d.line("Transfer / Discharge Note")
    d.line(
        "Name: {name}   Medical record #: {mrn}   Hospital account: {acct}",
        name=c.name(c.person),
        mrn=c.mrn(),
        acct=c.account(),
    )
    d.line(
        "Date of birth: {dob} ({age} y/o)",
        dob=c.when(c.patient.birthdate, "Month d, yyyy", "d Month yyyy"),
        age=c.age(),
    )
    d.line(
        "Admitted {adm} - discharged {dis}",
        adm=c.when(adm, "d Month yyyy", "iso"),
        dis=c.when(dis, "d Month yyyy", "iso"),
    )
    d.line(
        "Discharging physician: Dr. {doc} (DEA {dea}; license #{lic})",
        doc=c.name(doc.person, "initial_last"),
        dea=Phi(K.LICENSE, dc.dea),
        lic=Phi(K.LICENSE, dc.license),
    )
    d.line()
    d.line(
        "Summary: {age} y/o with {ep} and recent {cond}, admitted for {reason}. Hemodynamics stable on arrival "
        "(BP: {bp}). Started on {drug}; no further events. Diagnosed with diabetes in {yr}.",
        age=c.age(),
        ep=c.eponym(),
        cond=r.choice(("pneumonia", "syncope", "hip fracture", "UTI")),
        reason=r.choice(("IV antibiotics", "telemetry monitoring", "pain control")),
        bp=f"{r.randint(100, 150)}/{r.randint(58, 94)}",
        drug=c.drug(),
        yr=c.year_ago(),
    )
    if r.random() < 0.7:
        d.line(
            "Implants: {dev}, UDI {udi}.",
            dev=r.choice(("coronary stent", "ICD", "knee prosthesis")),
            udi=c.udi(),
        )
    else:
        d.line("Hardware: left hip prosthesis, lot/serial {sn}.", sn=c.serial())
    d.line()
    d.line(
        "Disposition: home to {street}, {city}, {zip} with VNA. Next of kin: {rel} {nok}, tel {phone}, e-mail {email}.",
        street=c.street(),
        city=c.city(),
        zip=c.zip(),
        rel=nok_rel,
        nok=c.name(nok),
        phone=c.phone(c.chart.cell),
        email=c.email(nok),
    )
    d.line(
        "Outside records were faxed to ({fax}) for Dr. {pcp}.",
        fax=c.fax(c.creds(pcp).fax),
        pcp=c.name(pcp.person, "last"),
    )
    d.line(
        "Coverage: {plan}, ID {mid}. SS# {ssn} verified at registration.",
        plan=c.chart.plan,
        mid=c.plan_id(),
        ssn=c.ssn(),
    )
    if r.random() < 0.4:
        d.line("Passport {pp} copied for the international travel letter.", pp=c.passport())
    d.line("Return precautions reviewed; patient also visits family in {st} each winter.", st=c.state_alone())


def portal_heldout(d: Draft, c: Ctx) -> None:
    r = c.rng
    rel = c.child_word()
    proxy = c.relative(rel)
    d.line(
        "Subject: question about my {parent}'s medications",
        parent=c.dependent_word(),
    )
    d.line(
        "Message from {proxy} (proxy for {pt}) - {email}",
        proxy=c.name(proxy),
        pt=c.name(c.person, "first"),
        email=c.email(proxy),
    )
    d.line("Posted {day}", day=c.when(c.day, "Month dth", "Mon d", "iso"))
    d.line()
    d.line(
        "Hello, I'm writing on behalf of my {parent}, who turned {age} on {bday}. Since the {since} the swelling "
        "around {her} eyes is worse - I attached a selfie of {her} face ({photo}) so you can compare.",
        parent=c.dependent_word(informal=True),
        age=c.age(),
        bday=c.when(c.patient.birthdate.replace(year=2000), "Month dth", "m/d"),
        since=c.when(c.days_before(2, 12), "ordinal"),
        her=c.possessive(),
        photo=c.photo_file(),
    )
    d.line(
        "{She} takes {drug} and half of a Lasix 40 mg tablet. Should {she} see someone for the {ep}?",
        She=c.pronoun().capitalize(),
        she=c.pronoun(),
        drug=c.drug(),
        ep=c.eponym(),
    )
    d.line(
        "{Her} new number is {phone}; my work fax is {fax}.",
        Her=c.possessive().capitalize(),
        phone=c.phone(c.chart.cell),
        fax=c.fax(),
    )
    d.line("We post updates for the family at {url}.", url=c.url())
    d.line("New insurance card: member {mid} ({plan}).", mid=c.plan_id(), plan=c.chart.plan)
    if r.random() < 0.5:
        d.line(
            "Our car's registration for the parking pass: {plate}, VIN {vin}.",
            plate=c.plate(),
            vin=c.vehicle()[1],
        )
    d.line("Thank you - {proxy}", proxy=c.name(proxy, "first"))
    d.line("[login from {ip}]", ip=c.ip(6))


def radiology_heldout(d: Draft, c: Ctx) -> None:
    r = c.rng
    referring, reader = c.provider(), c.provider()
    modality, body = r.choice(
        (("MRI", "lumbar spine"), ("Ultrasound", "right upper quadrant"), ("X-ray", "left wrist"))
    )
    d.line("{m} {b} - final report", m=modality, b=body)
    d.line(
        "Pt: {name}; MR {mrn}; exam date {day}; acc {acc}",
        name=c.name(c.person),
        mrn=c.mrn(),
        day=c.when(c.day, "iso", "dd-Mon-yyyy"),
        acc=c.accession(),
    )
    d.line("Referring: {doc}, MD", doc=c.name(referring.person, "initial_last"))
    d.line(
        "History: {age} y/o, pain after fall on {fall}. Known {ep}.",
        age=c.age(),
        fall=c.when(c.days_before(1, 10), "m/d", "Mon d"),
        ep=c.eponym(),
    )
    d.line(
        "Device check: {dev} S/N {sn} documented MR conditional; UDI {udi}.",
        dev=r.choice(("neurostimulator", "loop recorder", "insulin pump")),
        sn=c.serial(),
        udi=c.udi(),
    )
    d.line("Comparison: none available.")
    d.line("Findings: Alignment is maintained. No acute fracture. Mild degenerative change.")
    d.line("Impression: No acute abnormality.")
    d.line(
        "Clinical photo reviewed ({face}, {file}).",
        face=Phi(K.PHOTO, "full-face photograph"),
        file=c.photo_file(),
    )
    d.line(
        "Read remotely by {reader}, MD (NPI {npi}) from workstation {ip}.",
        reader=c.name(reader.person),
        npi=Phi(K.LICENSE, c.creds(reader).npi),
        ip=c.ip(),
    )


def telephone_heldout(d: Draft, c: Ctx) -> None:
    r = c.rng
    rel = c.spouse_word()
    caller = c.relative(rel)
    car, vin = c.vehicle()
    d.line("Phone note - triage RN")
    d.line(
        "{day} {t}. Incoming call from pt's {rel} {caller}, callback {phone}.",
        day=c.when(c.day, "Month d, yyyy", "m/d/yy"),
        t=f"{r.randint(8, 19)}:{r.randint(0, 59):02d}",
        rel=rel,
        caller=c.name(caller, "first"),
        phone=c.phone(),
    )
    d.line(
        "Verified with DOB {dob} and last name; caller is enrolled in {bio} verification.",
        dob=c.when(c.patient.birthdate, "mm/dd/yyyy", "iso"),
        bio=c.biometric("voiceprint", "voice biometric"),
    )
    d.line(
        "States {pt} was rear-ended on {mva}; the police report lists their {car} (plate {plate}, VIN {vin}).",
        pt=c.name(c.person, "first"),
        mva=c.when(c.days_before(1, 14), "Month dth", "m/d"),
        car=car,
        plate=c.plate(),
        vin=vin,
    )
    d.line("Neck pain 6/10, no numbness. Took {drug} with relief. Advised ED if worse.", drug=c.drug())
    d.line(
        "Billing: hospital account {acct}, claim {claim}; {plan} ID {mid}.",
        acct=c.account(),
        claim=c.claim(),
        plan=c.chart.plan,
        mid=c.plan_id(),
    )
    d.line(
        "SSN {ssn} given for the disability paperwork; form link sent: {url}", ssn=c.ssn(), url=c.portal_url()
    )
    d.line("Attorney's office asks for records by fax at {fax}.", fax=c.fax())
    d.line("Forwarded to {doc} for review.", doc=c.name(c.provider().person, "initial_last"))


TEMPLATES: tuple[Template, ...] = (
    Template("nursing", "train", True, nursing_train),
    Template("discharge", "train", False, discharge_train),
    Template("portal", "train", False, portal_train),
    Template("radiology", "train", False, radiology_train),
    Template("telephone", "train", False, telephone_train),
    Template("nursing", "heldout", True, nursing_heldout),
    Template("discharge", "heldout", False, discharge_heldout),
    Template("portal", "heldout", False, portal_heldout),
    Template("radiology", "heldout", False, radiology_heldout),
    Template("telephone", "heldout", False, telephone_heldout),
)


# --- the corpus ------------------------------------------------------------------------------------------


def _chart(rng: random.Random, pop: Population, patient: Patient) -> Chart:
    plan, plan_id = _plan(rng, patient)
    return Chart(
        patient=patient,
        mrn=ids.mrn(rng),
        account=ids.hospital_account(rng),
        cell=ids.phone_digits(rng, rng.choice(ids.US_AREA_CODES[:9])),
        email=pop.email(rng, patient.person),
        plan=plan,
        plan_id=plan_id,
    )


def split_of(index: int) -> Split:
    return "heldout" if index % 10 in HELDOUT_EVERY else "train"


def build_notes(hospital: Hospital, seed: int, count: int) -> list[Note]:
    """`count` notes about the hospital's patients; the same (hospital, seed, count) gives the same notes."""
    rng = random.Random(f"notes:{seed}")
    pop = Population(seed + 1)  # its own Faker stream, so notes do not shift the hospital's draws
    charts: dict[str, Chart] = {}
    oldest = [p for p in hospital.patients if age_on(p.birthdate, p.last_day) > 89]
    by_split: dict[Split, list[Template]] = {
        s: [t for t in TEMPLATES if t.split == s] for s in ("train", "heldout")
    }
    seen: dict[Split, int] = {"train": 0, "heldout": 0}
    notes = []
    for i in range(count):
        split = split_of(i)
        template = by_split[split][seen[split] % len(by_split[split])]
        seen[split] += 1
        patient = rng.choice(oldest) if oldest and i % 9 == 4 else rng.choice(hospital.patients)
        chart = charts.get(patient.id) or charts.setdefault(patient.id, _chart(rng, pop, patient))
        visits = [e for e in patient.encounters if e.code[1] != "Death Certification"] or patient.encounters
        day = rng.choice(visits).start.date()
        draft = Draft(caps=template.caps)
        template.write(draft, Ctx(rng, pop, hospital, chart, day))
        notes.append(_finish(f"note-{i + 1:05d}", template, draft))
    return notes


def _finish(note_id: str, template: Template, draft: Draft) -> Note:
    text = draft.text
    spans = tuple(sorted(draft.spans, key=lambda s: s.start))
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start, f"{note_id}: overlapping spans"
    for s in spans:
        assert text[s.start : s.end] == s.text, f"{note_id}: span drifted"
    return Note(note_id, template.style, template.split, text, spans)


def note_record(note: Note) -> dict[str, str]:
    return {"id": note.id, "style": note.style, "split": note.split, "text": note.text}


def span_records(note: Note) -> Iterable[dict[str, str | int]]:
    for s in note.spans:
        yield {"note_id": note.id, "start": s.start, "end": s.end, "kind": s.kind.value, "text": s.text}


def _jsonl(record: dict[str, str] | dict[str, str | int]) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def write_notes(notes: list[Note], out: Path) -> list[Path]:
    """Write `notes.jsonl` and `spans.jsonl` into `out`; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    notes_path, spans_path = out / "notes.jsonl", out / "spans.jsonl"
    notes_path.write_text("".join(_jsonl(note_record(n)) for n in notes), encoding="utf-8", newline="\n")
    spans_path.write_text(
        "".join(_jsonl(rec) for n in notes for rec in span_records(n)), encoding="utf-8", newline="\n"
    )
    return [notes_path, spans_path]
