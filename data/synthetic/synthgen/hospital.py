"""A small hospital as a Synthea v3.0 CSV export: the 18 tables, their exact headers, consistent keys.

The shape follows a real Synthea v3.0 export (ids are lowercase UUIDs, dates `YYYY-MM-DD`, timestamps
`YYYY-MM-DDTHH:MM:SSZ`, SSNs in the 999- range, money with two decimals, ZIPs as 5-character strings,
unquoted CSV with commas in text written as double spaces). The content is fabricated: people and places
from `people.Population` (Faker), clinical codes from the vocabulary Synthea itself uses.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from synthgen import identifiers as ids
from synthgen.people import HISPANIC_LOCALES, RESTRICTED_ZIP3, Address, Person, Population

# Header lines of a Synthea v3.0.0 CSV export, verbatim.
HEADERS: dict[str, str] = {
    "allergies": "START,STOP,PATIENT,ENCOUNTER,CODE,SYSTEM,DESCRIPTION,TYPE,CATEGORY,REACTION1,DESCRIPTION1,"
    "SEVERITY1,REACTION2,DESCRIPTION2,SEVERITY2",
    "careplans": "Id,START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION,REASONCODE,REASONDESCRIPTION",
    "claims": "Id,PATIENTID,PROVIDERID,PRIMARYPATIENTINSURANCEID,SECONDARYPATIENTINSURANCEID,DEPARTMENTID,"
    "PATIENTDEPARTMENTID,DIAGNOSIS1,DIAGNOSIS2,DIAGNOSIS3,DIAGNOSIS4,DIAGNOSIS5,DIAGNOSIS6,DIAGNOSIS7,"
    "DIAGNOSIS8,REFERRINGPROVIDERID,APPOINTMENTID,CURRENTILLNESSDATE,SERVICEDATE,SUPERVISINGPROVIDERID,"
    "STATUS1,STATUS2,STATUSP,OUTSTANDING1,OUTSTANDING2,OUTSTANDINGP,LASTBILLEDDATE1,LASTBILLEDDATE2,"
    "LASTBILLEDDATEP,HEALTHCARECLAIMTYPEID1,HEALTHCARECLAIMTYPEID2",
    "claims_transactions": "ID,CLAIMID,CHARGEID,PATIENTID,TYPE,AMOUNT,METHOD,FROMDATE,TODATE,PLACEOFSERVICE,"
    "PROCEDURECODE,MODIFIER1,MODIFIER2,DIAGNOSISREF1,DIAGNOSISREF2,DIAGNOSISREF3,DIAGNOSISREF4,UNITS,"
    "DEPARTMENTID,NOTES,UNITAMOUNT,TRANSFEROUTID,TRANSFERTYPE,PAYMENTS,ADJUSTMENTS,TRANSFERS,OUTSTANDING,"
    "APPOINTMENTID,LINENOTE,PATIENTINSURANCEID,FEESCHEDULEID,PROVIDERID,SUPERVISINGPROVIDERID",
    "conditions": "START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION",
    "devices": "START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION,UDI",
    "encounters": "Id,START,STOP,PATIENT,ORGANIZATION,PROVIDER,PAYER,ENCOUNTERCLASS,CODE,DESCRIPTION,"
    "BASE_ENCOUNTER_COST,TOTAL_CLAIM_COST,PAYER_COVERAGE,REASONCODE,REASONDESCRIPTION",
    "imaging_studies": "Id,DATE,PATIENT,ENCOUNTER,SERIES_UID,BODYSITE_CODE,BODYSITE_DESCRIPTION,"
    "MODALITY_CODE,MODALITY_DESCRIPTION,INSTANCE_UID,SOP_CODE,SOP_DESCRIPTION,PROCEDURE_CODE",
    "immunizations": "DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,BASE_COST",
    "medications": "START,STOP,PATIENT,PAYER,ENCOUNTER,CODE,DESCRIPTION,BASE_COST,PAYER_COVERAGE,DISPENSES,"
    "TOTALCOST,REASONCODE,REASONDESCRIPTION",
    "observations": "DATE,PATIENT,ENCOUNTER,CATEGORY,CODE,DESCRIPTION,VALUE,UNITS,TYPE",
    "organizations": "Id,NAME,ADDRESS,CITY,STATE,ZIP,LAT,LON,PHONE,REVENUE,UTILIZATION",
    "patients": "Id,BIRTHDATE,DEATHDATE,SSN,DRIVERS,PASSPORT,PREFIX,FIRST,LAST,SUFFIX,MAIDEN,MARITAL,RACE,"
    "ETHNICITY,GENDER,BIRTHPLACE,ADDRESS,CITY,STATE,COUNTY,ZIP,LAT,LON,HEALTHCARE_EXPENSES,"
    "HEALTHCARE_COVERAGE",
    "payer_transitions": "PATIENT,MEMBERID,START_YEAR,END_YEAR,PAYER,SECONDARY_PAYER,OWNERSHIP,OWNERNAME",
    "payers": "Id,NAME,ADDRESS,CITY,STATE_HEADQUARTERED,ZIP,PHONE,AMOUNT_COVERED,AMOUNT_UNCOVERED,REVENUE,"
    "COVERED_ENCOUNTERS,UNCOVERED_ENCOUNTERS,COVERED_MEDICATIONS,UNCOVERED_MEDICATIONS,COVERED_PROCEDURES,"
    "UNCOVERED_PROCEDURES,COVERED_IMMUNIZATIONS,UNCOVERED_IMMUNIZATIONS,UNIQUE_CUSTOMERS,QOLS_AVG,"
    "MEMBER_MONTHS",
    "procedures": "START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION,BASE_COST,REASONCODE,REASONDESCRIPTION",
    "providers": "Id,ORGANIZATION,NAME,GENDER,SPECIALITY,ADDRESS,CITY,STATE,ZIP,LAT,LON,UTILIZATION",
    "supplies": "DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,QUANTITY",
}
TABLES: tuple[str, ...] = tuple(sorted(HEADERS))

EXPORT_DATE = date(2024, 9, 30)  # the "today" of the export; ages and coverage end here
HISTORY_START = date(2012, 1, 1)  # encounters are generated from here on

Row = dict[str, str]
Code = tuple[str, str]

# --- vocabulary (codes and descriptions as Synthea writes them) ---------------------------------------

CHRONIC: dict[str, Code] = {
    "hypertension": ("59621000", "Essential hypertension (disorder)"),
    "prediabetes": ("15777000", "Prediabetes"),
    "diabetes": ("44054006", "Diabetes mellitus type 2 (disorder)"),
    "hyperlipidemia": ("55822004", "Hyperlipidemia"),
    "ckd1": ("431855005", "Chronic kidney disease stage 1 (disorder)"),
    "ckd2": ("431856006", "Chronic kidney disease stage 2 (disorder)"),
    "ckd3": ("433144002", "Chronic kidney disease stage 3 (disorder)"),
    "ckd4": ("431857002", "Chronic kidney disease stage 4 (disorder)"),
    "diabetic_kidney": ("127013003", "Disorder of kidney due to diabetes mellitus (disorder)"),
    "chd": ("53741008", "Coronary Heart Disease"),
    "afib": ("49436004", "Atrial fibrillation (disorder)"),
    "obesity": ("162864005", "Body mass index 30+ - obesity (finding)"),
    "copd": ("185086009", "Chronic obstructive bronchitis (disorder)"),
    "asthma": ("195967001", "Asthma (disorder)"),
    "osteoarthritis": ("239872002", "Osteoarthritis of hip"),
    "chronic_pain": ("82423001", "Chronic pain"),
    "alzheimers": ("26929004", "Alzheimer's disease (disorder)"),
}
ACUTE: tuple[Code, ...] = (
    ("195662009", "Acute viral pharyngitis (disorder)"),
    ("444814009", "Viral sinusitis (disorder)"),
    ("10509002", "Acute bronchitis (disorder)"),
    ("44465007", "Sprain of ankle"),
    ("62106007", "Concussion with no loss of consciousness"),
    ("33737001", "Fracture of rib"),
    ("74400008", "Appendicitis"),
    ("389087006", "Hypoxemia (disorder)"),
    ("68496003", "Polyp of colon"),
)
SOCIAL: tuple[Code, ...] = (
    ("160903007", "Full-time employment (finding)"),
    ("73595000", "Stress (finding)"),
    ("422650009", "Social isolation (finding)"),
    ("160904001", "Part-time employment (finding)"),
)
MEDS_FOR: dict[str, tuple[tuple[str, str, float], ...]] = {
    "hypertension": (
        ("314076", "lisinopril 10 MG Oral Tablet", 0.02),
        ("310798", "Hydrochlorothiazide 25 MG Oral Tablet", 0.01),
        ("308136", "amLODIPine 2.5 MG Oral Tablet", 0.02),
    ),
    "diabetes": (("860975", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet", 0.31),),
    "hyperlipidemia": (("314231", "Simvastatin 10 MG Oral Tablet", 0.02),),
    "afib": (("855332", "Warfarin Sodium 5 MG Oral Tablet", 0.17),),
    "asthma": (("2123111", "NDA020503 200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", 628.42),),
    "chronic_pain": (("209387", "Acetaminophen 325 MG Oral Tablet [Tylenol]", 2.63),),
}
CAREPLAN_FOR: dict[str, Code] = {
    "hypertension": ("443402002", "Lifestyle education regarding hypertension"),
    "diabetes": ("698360004", "Diabetes self management plan"),
    "hyperlipidemia": ("736285004", "Hyperlipidemia clinical management plan"),
    "asthma": ("699728000", "Asthma self management"),
    "copd": ("53950000", "Respiratory therapy"),
    "osteoarthritis": ("91251008", "Physical therapy procedure"),
}
ENCOUNTER_CODES: dict[str, tuple[Code, ...]] = {
    "wellness": (("162673000", "General examination of patient (procedure)"),),
    "ambulatory": (
        ("185345009", "Encounter for symptom"),
        ("390906007", "Follow-up encounter"),
        ("185347001", "Encounter for problem"),
    ),
    "outpatient": (
        ("185349003", "Encounter for check up (procedure)"),
        ("698314001", "Consultation for treatment"),
    ),
    "emergency": (("50849002", "Emergency room admission (procedure)"),),
    "inpatient": (("183452005", "Encounter Inpatient"),),
    "urgentcare": (("702927004", "Urgent care clinic (environment)"),),
}
CLASS_WEIGHTS = {
    "wellness": 40,
    "ambulatory": 25,
    "outpatient": 14,
    "emergency": 9,
    "inpatient": 6,
    "urgentcare": 6,
}
WELL_CHILD: Code = ("410620009", "Well child visit (procedure)")
DEATH_CERTIFICATION: Code = ("308646001", "Death Certification")
WELLNESS_PROCEDURES: tuple[Code, ...] = (
    ("710824005", "Assessment of health and social care needs (procedure)"),
    ("171207006", "Depression screening (procedure)"),
    ("430193006", "Medication Reconciliation (procedure)"),
    ("428211000124100", "Assessment of substance use (procedure)"),
)
PROCEDURE_FOR_ACUTE: dict[str, Code] = {
    "74400008": ("80146002", "Excision of appendix"),
    "68496003": ("73761001", "Colonoscopy"),
    "33737001": ("399208008", "Plain X-ray of chest (procedure)"),
    "44465007": ("19490002", "Plain X-ray of ankle (procedure)"),
}
IMMUNIZATIONS: tuple[tuple[str, str, float], ...] = (
    ("140", "Influenza, seasonal, injectable, preservative free", 140.52),
    ("113", "Td (adult) preservative free", 140.52),
    ("121", "zoster", 140.52),
    ("133", "Pneumococcal conjugate PCV 13", 140.52),
    (
        "208",
        "SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 30 mcg/0.3mL dose",
        136.0,
    ),
)
ALLERGENS: tuple[tuple[str, str, str], ...] = (
    ("84489001", "Mold (organism)", "environment"),
    ("264287008", "Animal dander (substance)", "environment"),
    ("256277009", "Grass pollen (substance)", "environment"),
    ("735029006", "Shellfish (substance)", "food"),
    ("762952008", "Peanut (substance)", "food"),
    ("7980", "Penicillin V", "medication"),
)
REACTIONS: tuple[Code, ...] = (
    ("271807003", "Eruption of skin (disorder)"),
    ("418290006", "Itching (finding)"),
    ("76067001", "Sneezing"),
    ("39579001", "Anaphylaxis (disorder)"),
)
SUPPLIES: tuple[Code, ...] = (
    ("713779008", "Nitrile examination/treatment glove, non-powdered, sterile (physical object)"),
    ("706724001", "Face shield (physical object)"),
    ("470618009", "Antiseptic towelette (physical object)"),
)
DEVICES: dict[str, Code] = {
    "chd": ("705643001", "Coronary artery stent (physical object)"),
    "afib": ("72506001", "Implantable defibrillator, device (physical object)"),
    "diabetes": ("25062003", "Insulin pump (physical object)"),
}
IMAGING_FOR: dict[str, tuple[Code, Code]] = {
    "33737001": (("51185008", "Chest"), ("DX", "Digital Radiography")),
    "44465007": (("70258002", "Ankle joint"), ("DX", "Digital Radiography")),
    "62106007": (("69536005", "Head"), ("CT", "Computed Tomography")),
}
PAYERS: tuple[tuple[str, str], ...] = (
    ("Dual Eligible", "government"),
    ("Medicare", "government"),
    ("Medicaid", "government"),
    ("Humana", "private"),
    ("Blue Cross Blue Shield", "private"),
    ("UnitedHealthcare", "private"),
    ("Aetna", "private"),
    ("Cigna Health", "private"),
    ("Anthem", "private"),
    ("NO_INSURANCE", "none"),
)
COVERAGE_RATE = {"Dual Eligible": 1.0, "Medicare": 0.8, "Medicaid": 1.0, "NO_INSURANCE": 0.0}
SPECIALITIES = ("GENERAL PRACTICE", "INTERNAL MEDICINE", "EMERGENCY MEDICINE", "NEPHROLOGY", "CARDIOLOGY")
ORG_COUNT, PROVIDERS_PER_ORG = 5, 4


# --- value formats -----------------------------------------------------------------------------------


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def money(value: float) -> str:
    return f"{value:.2f}"


def coord(value: float) -> str:
    return f"{value:.8f}".rstrip("0")


def text(value: str) -> str:
    """A free-text cell: Synthea never quotes, it writes each comma as a space (`a, b` -> `a  b`)."""
    return value.replace(",", " ")


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# --- the model the notes generator reuses --------------------------------------------------------------


@dataclass
class Organization:
    id: str
    name: str
    address: Address
    phone: str


@dataclass
class Provider:
    id: str
    organization: Organization
    person: Person
    speciality: str


@dataclass
class Payer:
    id: str
    name: str
    kind: str


@dataclass
class Coverage:
    start: date
    end: date
    payer: Payer
    member_id: str


@dataclass
class Encounter:
    id: str
    start: datetime
    stop: datetime
    klass: str
    code: Code
    provider: Provider
    payer: Payer
    reason: Code | None = None


@dataclass
class Patient:
    id: str
    person: Person
    birthdate: date
    deathdate: date | None
    ssn: str
    drivers: str
    passport: str
    prefix: str
    suffix: str
    maiden: str
    marital: str
    race: str
    ethnicity: str
    birthplace: str
    address: Address
    spouse: Person | None
    guardian: Person | None
    coverages: list[Coverage] = field(default_factory=list)
    encounters: list[Encounter] = field(default_factory=list)
    chronic: list[str] = field(default_factory=list)
    expenses: float = 0.0
    coverage_paid: float = 0.0

    @property
    def last_day(self) -> date:
        return self.deathdate or EXPORT_DATE

    def payer_on(self, day: date) -> Payer:
        for cov in self.coverages:
            if cov.start <= day <= cov.end:
                return cov.payer
        return self.coverages[-1].payer


@dataclass
class Hospital:
    """The generated export: rows per table plus the objects behind them (the notes draw on these)."""

    tables: dict[str, list[Row]]
    patients: list[Patient]
    providers: list[Provider]
    organizations: list[Organization]


# --- generation ----------------------------------------------------------------------------------------


def _random_moment(rng: random.Random, first: date, last: date) -> datetime:
    day = first + timedelta(days=rng.randint(0, max((last - first).days, 0)))
    return datetime(day.year, day.month, day.day, rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))


def _birthdate(rng: random.Random, index: int) -> date:
    """Mostly adults; every fifteenth patient a nonagenarian (born before 1934), so ages over 89 occur."""
    if index % 15 == 4:
        year = rng.randint(1924, 1933)
    else:
        year = rng.choices(
            (rng.randint(1936, 1959), rng.randint(1960, 2004), rng.randint(2005, 2022)), (3, 5, 2)
        )[0]
    return date(year, rng.randint(1, 12), rng.randint(1, 28))


def _home(pop: Population, rng: random.Random, index: int) -> Address:
    """Most patients live in Massachusetts; every eighth in a restricted ZIP-3 area; a few in neighbours."""
    if index % 8 == 3:
        zip3s = sorted(RESTRICTED_ZIP3)
        zip3 = zip3s[(index // 8) % len(zip3s)]
        return pop.address(rng, RESTRICTED_ZIP3[zip3], zip3)
    state = rng.choices(("MA", "NH", "RI", "CT"), (20, 2, 1, 1))[0]
    return pop.address(rng, state)


def _race(rng: random.Random, locale: str) -> str:
    if locale in ("vi_VN", "zh_CN", "ja_JP", "en_IN"):
        return "asian"
    if locale in ("yo_NG", "ig_NG", "tw_GH", "zu_ZA"):
        return "black"
    return rng.choices(("white", "black", "asian", "hawaiian", "native", "other"), (70, 10, 5, 1, 2, 4))[0]


@dataclass
class _Bill:
    """What one encounter's claim came to."""

    encounter: Encounter
    base: float
    total: float
    covered: float


@dataclass
class _PayerStats:
    covered: float = 0.0
    uncovered: float = 0.0
    covered_encounters: int = 0
    uncovered_encounters: int = 0
    members: set[str] = field(default_factory=set)
    member_months: int = 0


class _Builder:
    """Accumulates rows; each method writes the rows of one Synthea concept."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"hospital:{seed}")
        self.pop = Population(seed)
        self.tables: dict[str, list[Row]] = {t: [] for t in TABLES}
        self.bills: list[_Bill] = []
        self.next_charge: dict[str, int] = {}

    def uid(self) -> str:
        return ids.synthea_uuid(self.rng)

    def add(self, table: str, **cells: str) -> None:
        self.tables[table].append(cells)

    # --- organizations, providers, payers

    def organizations(self) -> list[Organization]:
        orgs = []
        for i in range(ORG_COUNT):
            address = self.pop.address(self.rng, "MA")
            if i == 0:
                name = f"{self.pop.last_name('en_US')} Memorial Hospital"
            else:
                kind = self.rng.choice(("Community Health Center", "Family Practice", "Medical Associates"))
                name = f"{address.city} {kind}"
            orgs.append(Organization(self.uid(), name.upper(), address, ids.phone_digits(self.rng, "617")))
        return orgs

    def providers(self, orgs: list[Organization]) -> list[Provider]:
        providers = []
        for org in orgs:
            for j in range(PROVIDERS_PER_ORG):
                speciality = SPECIALITIES[0] if j == 0 else self.rng.choice(SPECIALITIES)
                providers.append(Provider(self.uid(), org, self.pop.person(self.rng), speciality))
        return providers

    def payers(self) -> list[Payer]:
        return [Payer(self.uid(), name, kind) for name, kind in PAYERS]

    # --- patients

    def patient(self, index: int) -> Patient:
        rng, pop = self.rng, self.pop
        person = pop.person(rng)
        born = _birthdate(rng, index)
        died = None
        if index % 12 == 7:
            died = born + timedelta(days=rng.randint(365 * 30, 365 * 95))
            died = min(died, EXPORT_DATE - timedelta(days=rng.randint(30, 2000)))
            if died <= max(born, HISTORY_START) + timedelta(days=400):
                died = None
        age = age_on(born, EXPORT_DATE)
        adult = age >= 18
        married = adult and rng.random() < 0.55
        spouse = pop.relative(person, "F" if person.sex == "M" else "M", same_last=True) if married else None
        if adult:
            prefix = "Mr." if person.sex == "M" else "Mrs." if married else "Ms."
            marital = "M" if married else rng.choice(("S", "D", "W"))
        else:
            prefix = marital = ""
        hispanic = person.locale in HISPANIC_LOCALES or rng.random() < 0.05
        return Patient(
            id=self.uid(),
            person=person,
            birthdate=born,
            deathdate=died,
            ssn=ids.ssn_test_range(rng),
            drivers=ids.synthea_drivers(rng) if age >= 16 else "",
            passport=ids.synthea_passport(rng) if adult and rng.random() < 0.6 else "",
            prefix=prefix,
            suffix=rng.choice(("Jr.", "Sr.", "PhD", "MD")) if adult and rng.random() < 0.05 else "",
            maiden=pop.last_name(person.locale) if married and person.sex == "F" else "",
            marital=marital,
            race=_race(rng, person.locale),
            ethnicity="hispanic" if hispanic else "nonhispanic",
            birthplace=pop.birthplace(rng, person.locale),
            address=_home(pop, rng, index),
            spouse=spouse,
            guardian=pop.relative(person, "F", same_last=True) if age_on(born, HISTORY_START) < 18 else None,
        )

    def coverages(self, patient: Patient, payers: list[Payer]) -> None:
        """One to three coverage periods from 2012 (or birth) to death or the export date."""
        rng = self.rng
        by_name = {p.name: p for p in payers}
        private = [p for p in payers if p.kind == "private"]
        start, end = max(patient.birthdate, HISTORY_START), patient.last_day
        days = (end - start).days
        cuts = sorted({start + timedelta(days=rng.randint(1, days - 1)) for _ in range(rng.randint(0, 2))})
        bounds = [start, *cuts, end]
        for a, b in itertools.pairwise(bounds):
            roll = rng.random()
            if age_on(patient.birthdate, a) >= 65:
                payer = by_name["Dual Eligible" if roll < 0.1 else "Medicare"]
            elif roll < 0.15:
                payer = by_name["Medicaid"]
            elif roll < 0.22:
                payer = by_name["NO_INSURANCE"]
            else:
                payer = rng.choice(private)
            patient.coverages.append(Coverage(a, b, payer, self.uid()))

    def encounters(self, patient: Patient, providers: list[Provider]) -> None:
        rng = self.rng
        first = max(patient.birthdate, HISTORY_START)
        last = patient.last_day - timedelta(days=1 if patient.deathdate else 0)
        count = rng.randint(2, 7)
        classes = rng.choices(list(CLASS_WEIGHTS), list(CLASS_WEIGHTS.values()), k=count)
        moments = sorted(_random_moment(rng, first, last) for _ in range(count))
        home = rng.choice(providers[::PROVIDERS_PER_ORG])  # each organization's first provider is a GP
        for klass, start in zip(classes, moments, strict=True):
            provider = home if klass in ("wellness", "ambulatory") else rng.choice(providers)
            if klass == "wellness" and age_on(patient.birthdate, start.date()) < 18:
                code = WELL_CHILD
            else:
                code = rng.choice(ENCOUNTER_CODES[klass])
            minutes = {"inpatient": rng.randint(1440, 7200), "emergency": rng.randint(60, 480)}.get(klass, 15)
            stop = start + timedelta(minutes=minutes, seconds=rng.randint(0, 59))
            payer = patient.payer_on(start.date())
            patient.encounters.append(Encounter(self.uid(), start, stop, klass, code, provider, payer))
        if patient.deathdate:
            died = datetime.combine(patient.deathdate, datetime.min.time()).replace(hour=9)
            payer = patient.payer_on(patient.deathdate)
            patient.encounters.append(
                Encounter(
                    self.uid(),
                    died,
                    died + timedelta(minutes=15),
                    "wellness",
                    DEATH_CERTIFICATION,
                    home,
                    payer,
                )
            )

    def clinical(self, patient: Patient) -> None:
        """Conditions, medications, observations, procedures... of each encounter, then its claim."""
        rng = self.rng
        if age_on(patient.birthdate, patient.last_day) >= 30:
            stage = rng.choice([k for k in CHRONIC if k.startswith("ckd")])  # at most one CKD stage
            pool = [k for k in CHRONIC if k not in ("asthma", "diabetic_kidney") and not k.startswith("ckd")]
            pool.append(stage)
        else:
            pool = ["asthma", "obesity"]
        chronic = rng.sample(pool, k=min(len(pool), rng.choice((0, 1, 1, 2, 2, 3))))
        if "diabetes" in chronic and rng.random() < 0.5:
            chronic.append("diabetic_kidney")
        patient.chronic = chronic
        onsets = {k: rng.randrange(len(patient.encounters)) for k in chronic}
        allergic = rng.random() < 0.2
        for i, enc in enumerate(patient.encounters):
            lines, diagnoses = self.encounter_detail(patient, enc, [k for k, at in onsets.items() if at == i])
            if i == 0 and allergic:
                self.allergy(patient, enc)
            self.claim(patient, enc, lines, diagnoses)

    def encounter_detail(
        self, patient: Patient, enc: Encounter, onset: list[str]
    ) -> tuple[list[tuple[Code, float]], list[Code]]:
        """The rows tied to one encounter; returns its billable lines (code, amount) and its diagnoses."""
        rng, pid, eid = self.rng, patient.id, enc.id
        start, day = ts(enc.start), enc.start.date().isoformat()
        expensive = enc.klass in ("inpatient", "emergency")
        lines = [(enc.code, round(rng.uniform(900, 4200) if expensive else rng.uniform(60, 160), 2))]
        diagnoses: list[Code] = []
        for key in onset:
            code = CHRONIC[key]
            diagnoses.append(code)
            self.add(
                "conditions",
                START=day,
                STOP="",
                PATIENT=pid,
                ENCOUNTER=eid,
                CODE=code[0],
                DESCRIPTION=text(code[1]),
            )
            for med in MEDS_FOR.get(key, ())[: rng.randint(1, 2)]:
                self.medication(patient, enc, med, code, chronic=True)
            if key in CAREPLAN_FOR:
                plan = CAREPLAN_FOR[key]
                self.add(
                    "careplans",
                    Id=self.uid(),
                    START=day,
                    STOP="",
                    PATIENT=pid,
                    ENCOUNTER=eid,
                    CODE=plan[0],
                    DESCRIPTION=text(plan[1]),
                    REASONCODE=code[0],
                    REASONDESCRIPTION=text(code[1]),
                )
            if key in DEVICES and rng.random() < 0.6:
                device = DEVICES[key]
                made = enc.start.date() - timedelta(days=rng.randint(60, 400))
                self.add(
                    "devices",
                    START=start,
                    STOP="",
                    PATIENT=pid,
                    ENCOUNTER=eid,
                    CODE=device[0],
                    DESCRIPTION=text(device[1]),
                    UDI=ids.udi(rng, made, made + timedelta(days=3650)),
                )
        if enc.klass in ("ambulatory", "emergency", "urgentcare", "inpatient") and rng.random() < 0.7:
            acute = rng.choice(ACUTE)
            enc.reason = acute
            diagnoses.append(acute)
            stop = (enc.start.date() + timedelta(days=rng.randint(7, 40))).isoformat()
            self.add(
                "conditions",
                START=day,
                STOP=stop,
                PATIENT=pid,
                ENCOUNTER=eid,
                CODE=acute[0],
                DESCRIPTION=text(acute[1]),
            )
            if acute[0] in PROCEDURE_FOR_ACUTE:
                proc = PROCEDURE_FOR_ACUTE[acute[0]]
                cost = round(rng.uniform(300, 9000), 2)
                self.procedure(patient, enc, proc, cost, acute)
                lines.append((proc, cost))
            if acute[0] in IMAGING_FOR:
                self.imaging(patient, enc, acute)
            if acute[0] in ("195662009", "444814009", "10509002") and rng.random() < 0.5:
                self.medication(
                    patient, enc, ("313782", "Acetaminophen 325 MG Oral Tablet", 3.4), acute, chronic=False
                )
        if enc.klass == "wellness" and enc.code != DEATH_CERTIFICATION:
            self.vitals(patient, enc)
            if rng.random() < 0.3:
                social = rng.choice(SOCIAL)
                self.add(
                    "conditions",
                    START=day,
                    STOP="",
                    PATIENT=pid,
                    ENCOUNTER=eid,
                    CODE=social[0],
                    DESCRIPTION=social[1],
                )
            for proc in rng.sample(WELLNESS_PROCEDURES, k=rng.choice((0, 0, 1))):
                cost = round(rng.uniform(300, 740), 2)
                self.procedure(patient, enc, proc, cost, None)
                lines.append((proc, cost))
            if rng.random() < 0.45:
                cvx, vaccine, cost = rng.choice(IMMUNIZATIONS)
                self.add(
                    "immunizations",
                    DATE=start,
                    PATIENT=pid,
                    ENCOUNTER=eid,
                    CODE=cvx,
                    DESCRIPTION=text(vaccine),
                    BASE_COST=money(cost),
                )
                lines.append(((cvx, vaccine), cost))
        if enc.klass == "inpatient":
            for sup in rng.sample(SUPPLIES, k=2):
                self.add(
                    "supplies",
                    DATE=day,
                    PATIENT=pid,
                    ENCOUNTER=eid,
                    CODE=sup[0],
                    DESCRIPTION=text(sup[1]),
                    QUANTITY=str(rng.randint(1, 24)),
                )
        enc.reason = enc.reason or (diagnoses[0] if diagnoses else None)
        return lines, diagnoses

    def medication(
        self, patient: Patient, enc: Encounter, med: tuple[str, str, float], reason: Code, chronic: bool
    ) -> None:
        rng = self.rng
        dispenses = rng.randint(6, 60) if chronic else 1
        code, description, base = med
        covered = base * COVERAGE_RATE.get(enc.payer.name, 0.7)
        self.add(
            "medications",
            START=ts(enc.start),
            STOP="" if chronic else ts(enc.start + timedelta(days=rng.randint(5, 14))),
            PATIENT=patient.id,
            PAYER=enc.payer.id,
            ENCOUNTER=enc.id,
            CODE=code,
            DESCRIPTION=text(description),
            BASE_COST=money(base),
            PAYER_COVERAGE=money(covered * dispenses),
            DISPENSES=str(dispenses),
            TOTALCOST=money(base * dispenses),
            REASONCODE=reason[0],
            REASONDESCRIPTION=text(reason[1]),
        )

    def procedure(
        self, patient: Patient, enc: Encounter, proc: Code, cost: float, reason: Code | None
    ) -> None:
        self.add(
            "procedures",
            START=ts(enc.start),
            STOP=ts(enc.start + timedelta(minutes=self.rng.randint(10, 90))),
            PATIENT=patient.id,
            ENCOUNTER=enc.id,
            CODE=proc[0],
            DESCRIPTION=text(proc[1]),
            BASE_COST=money(cost),
            REASONCODE=reason[0] if reason else "",
            REASONDESCRIPTION=text(reason[1]) if reason else "",
        )

    def imaging(self, patient: Patient, enc: Encounter, acute: Code) -> None:
        rng = self.rng
        (site_code, site), (modality_code, modality) = IMAGING_FOR[acute[0]]
        millis = int(enc.start.replace(tzinfo=UTC).timestamp() * 1000)
        self.add(
            "imaging_studies",
            Id=self.uid(),
            DATE=ts(enc.start),
            PATIENT=patient.id,
            ENCOUNTER=enc.id,
            SERIES_UID=f"1.2.840.99999999.1.{ids.digits(rng, 8)}.{millis}",
            BODYSITE_CODE=site_code,
            BODYSITE_DESCRIPTION=site,
            MODALITY_CODE=modality_code,
            MODALITY_DESCRIPTION=modality,
            INSTANCE_UID=f"1.2.840.99999999.1.1.{ids.digits(rng, 8)}.{ids.digits(rng, 12)}",
            SOP_CODE="1.2.840.10008.5.1.4.1.1.1.1",
            SOP_DESCRIPTION="Digital X-Ray Image Storage",
            PROCEDURE_CODE=PROCEDURE_FOR_ACUTE.get(acute[0], ("363680008", ""))[0],
        )

    def vitals(self, patient: Patient, enc: Encounter) -> None:
        rng = self.rng
        grown = age_on(patient.birthdate, enc.start.date()) >= 16
        height = round(rng.uniform(150, 190) if grown else rng.uniform(80, 170), 1)
        weight = round(rng.uniform(50, 110) if grown else rng.uniform(12, 60), 1)
        high = "hypertension" in patient.chronic
        values = [
            ("vital-signs", "8302-2", "Body Height", f"{height}", "cm"),
            ("vital-signs", "29463-7", "Body Weight", f"{weight}", "kg"),
            ("vital-signs", "39156-5", "Body Mass Index", f"{weight / (height / 100) ** 2:.1f}", "kg/m2"),
            (
                "vital-signs",
                "8462-4",
                "Diastolic Blood Pressure",
                f"{rng.randint(70, 96 if high else 84)}.0",
                "mm[Hg]",
            ),
            (
                "vital-signs",
                "8480-6",
                "Systolic Blood Pressure",
                f"{rng.randint(105, 162 if high else 130)}.0",
                "mm[Hg]",
            ),
            ("vital-signs", "8867-4", "Heart rate", f"{rng.randint(58, 98)}.0", "/min"),
        ]
        if any(k.startswith("ckd") or k == "diabetic_kidney" for k in patient.chronic):
            values.append(("laboratory", "38483-4", "Creatinine", f"{rng.uniform(1.2, 3.1):.1f}", "mg/dL"))
            values.append(("laboratory", "33914-3", EGFR, f"{rng.uniform(22, 75):.1f}", "mL/min/{1.73_m2}"))
        if "diabetes" in patient.chronic or "prediabetes" in patient.chronic:
            values.append(("laboratory", "4548-4", HBA1C, f"{rng.uniform(5.8, 8.9):.1f}", "%"))
        smoking = rng.choice(
            ("Never smoked tobacco (finding)", "Former smoker (finding)", "Smokes tobacco daily")
        )
        values.append(("survey", "72166-2", "Tobacco smoking status", smoking, ""))
        for category, code, description, value, units in values:
            self.add(
                "observations",
                DATE=ts(enc.start),
                PATIENT=patient.id,
                ENCOUNTER=enc.id,
                CATEGORY=category,
                CODE=code,
                DESCRIPTION=text(description),
                VALUE=value,
                UNITS=units,
                TYPE="text" if category == "survey" else "numeric",
            )

    def allergy(self, patient: Patient, enc: Encounter) -> None:
        rng = self.rng
        code, description, category = rng.choice(ALLERGENS)
        reaction = rng.choice(REACTIONS)
        self.add(
            "allergies",
            START=enc.start.date().isoformat(),
            STOP="",
            PATIENT=patient.id,
            ENCOUNTER=enc.id,
            CODE=code,
            SYSTEM="RxNorm" if category == "medication" else "SNOMED-CT",
            DESCRIPTION=description,
            TYPE="allergy",
            CATEGORY=category,
            REACTION1=reaction[0],
            DESCRIPTION1=reaction[1],
            SEVERITY1=rng.choice(("MILD", "MODERATE", "SEVERE")),
            REACTION2="",
            DESCRIPTION2="",
            SEVERITY2="",
        )

    def claim(
        self, patient: Patient, enc: Encounter, lines: list[tuple[Code, float]], diagnoses: list[Code]
    ) -> None:
        """One claim per encounter; per line a CHARGE, the payer's PAYMENT and the patient's share."""
        rng = self.rng
        rate = COVERAGE_RATE.get(enc.payer.name, rng.choice((0.6, 0.7, 0.8, 0.9)))
        claim_id = self.uid()
        codes = [d[0] for d in diagnoses][:8]
        department = str(rng.choice((1, 2, 3, 4, 10, 20)))
        start, stop = ts(enc.start), ts(enc.stop)
        self.add(
            "claims",
            Id=claim_id,
            PATIENTID=patient.id,
            PROVIDERID=enc.provider.id,
            PRIMARYPATIENTINSURANCEID=enc.payer.id if enc.payer.name != "NO_INSURANCE" else "0",
            SECONDARYPATIENTINSURANCEID="0",
            DEPARTMENTID=department,
            PATIENTDEPARTMENTID=department,
            **{f"DIAGNOSIS{i + 1}": codes[i] if i < len(codes) else "" for i in range(8)},
            REFERRINGPROVIDERID="",
            APPOINTMENTID=enc.id,
            CURRENTILLNESSDATE=start,
            SERVICEDATE=start,
            SUPERVISINGPROVIDERID=enc.provider.id,
            STATUS1="CLOSED",
            STATUS2="",
            STATUSP="CLOSED",
            OUTSTANDING1="0",
            OUTSTANDING2="",
            OUTSTANDINGP="0",
            LASTBILLEDDATE1=stop,
            LASTBILLEDDATE2="",
            LASTBILLEDDATEP=stop,
            HEALTHCARECLAIMTYPEID1="1" if enc.klass in ("inpatient", "emergency") else "2",
            HEALTHCARECLAIMTYPEID2="0",
        )
        refs = {f"DIAGNOSISREF{i + 1}": str(i + 1) if i < len(codes) else "" for i in range(4)}
        total = covered_total = 0.0
        for code, amount in lines:
            covered = round(amount * rate, 2)
            remainder = round(amount - covered, 2)
            total += amount
            covered_total += covered
            line = {
                "CLAIMID": claim_id,
                "PATIENTID": patient.id,
                "FROMDATE": start,
                "TODATE": stop,
                "PLACEOFSERVICE": enc.provider.organization.id,
                "PROCEDURECODE": code[0],
                "MODIFIER1": "",
                "MODIFIER2": "",
                **refs,
                "UNITS": "1",
                "DEPARTMENTID": department,
                "NOTES": text(code[1]),
                "APPOINTMENTID": enc.id,
                "LINENOTE": "",
                "PATIENTINSURANCEID": patient.id,
                "FEESCHEDULEID": "1",
                "PROVIDERID": enc.provider.id,
                "SUPERVISINGPROVIDERID": enc.provider.id,
            }
            self.transaction(line, "CHARGE", AMOUNT=money(amount), UNITAMOUNT=money(amount), TRANSFERTYPE="1")
            if covered > 0:
                self.transaction(
                    line, "PAYMENT", METHOD="ECHECK", PAYMENTS=money(covered), OUTSTANDING=money(remainder)
                )
            if remainder > 0 and covered > 0:  # the payer's share is settled; the rest moves to the patient
                out = self.transaction(
                    line, "TRANSFEROUT", TRANSFERS=money(remainder), OUTSTANDING=money(remainder)
                )
                self.transaction(
                    line,
                    "TRANSFERIN",
                    AMOUNT=money(remainder),
                    TRANSFEROUTID=str(out),
                    TRANSFERTYPE="p",
                    TRANSFERS=money(remainder),
                    OUTSTANDING=money(remainder),
                )
            if remainder > 0:
                method = rng.choice(("CASH", "CC", "CHECK", "COPAY"))
                self.transaction(
                    line, "PAYMENT", METHOD=method, PAYMENTS=money(remainder), OUTSTANDING="0.00"
                )
        self.bills.append(_Bill(enc, lines[0][1], total, covered_total))
        patient.expenses += total - covered_total
        patient.coverage_paid += covered_total

    def transaction(self, line: Row, kind: str, **cells: str) -> int:
        """Append one claims_transactions row; CHARGEID counts per patient, as in Synthea. Returns it."""
        charge = self.next_charge.get(line["PATIENTID"], 0)
        self.next_charge[line["PATIENTID"]] = charge + 1
        blank = dict.fromkeys(TRANSACTION_AMOUNTS, "")
        row = {"ID": self.uid(), **line, "CHARGEID": str(charge), "TYPE": kind, **blank, **cells}
        self.tables["claims_transactions"].append(row)
        return charge

    # --- rows written once everything is known

    def encounter_rows(self, people: list[Patient]) -> None:
        bills = {bill.encounter.id: bill for bill in self.bills}
        for patient in people:
            for enc in patient.encounters:
                bill = bills[enc.id]
                self.add(
                    "encounters",
                    Id=enc.id,
                    START=ts(enc.start),
                    STOP=ts(enc.stop),
                    PATIENT=patient.id,
                    ORGANIZATION=enc.provider.organization.id,
                    PROVIDER=enc.provider.id,
                    PAYER=enc.payer.id,
                    ENCOUNTERCLASS=enc.klass,
                    CODE=enc.code[0],
                    DESCRIPTION=text(enc.code[1]),
                    BASE_ENCOUNTER_COST=money(bill.base),
                    TOTAL_CLAIM_COST=money(bill.total),
                    PAYER_COVERAGE=money(bill.covered),
                    REASONCODE=enc.reason[0] if enc.reason else "",
                    REASONDESCRIPTION=text(enc.reason[1]) if enc.reason else "",
                )

    def payer_transition_rows(self, people: list[Patient]) -> None:
        for patient in people:
            for cov in patient.coverages:
                insured = cov.payer.name != "NO_INSURANCE"
                owner, ownership = patient.person, "Self"
                if age_on(patient.birthdate, cov.start) < 18 and patient.guardian:
                    owner, ownership = patient.guardian, "Guardian"
                elif patient.spouse and self.rng.random() < 0.3:
                    owner, ownership = patient.spouse, "Spouse"
                self.add(
                    "payer_transitions",
                    PATIENT=patient.id,
                    MEMBERID=cov.member_id,
                    START_YEAR=ts(datetime.combine(cov.start, datetime.min.time())),
                    END_YEAR=ts(datetime.combine(cov.end, datetime.min.time())),
                    PAYER=cov.payer.id,
                    SECONDARY_PAYER="",
                    OWNERSHIP=ownership if insured else "",
                    OWNERNAME=owner.full if insured else "",
                )

    def patient_rows(self, people: list[Patient]) -> None:
        for p in people:
            a = p.address
            self.add(
                "patients",
                Id=p.id,
                BIRTHDATE=p.birthdate.isoformat(),
                DEATHDATE=p.deathdate.isoformat() if p.deathdate else "",
                SSN=p.ssn,
                DRIVERS=p.drivers,
                PASSPORT=p.passport,
                PREFIX=p.prefix,
                FIRST=p.person.first,
                LAST=p.person.last,
                SUFFIX=p.suffix,
                MAIDEN=p.maiden,
                MARITAL=p.marital,
                RACE=p.race,
                ETHNICITY=p.ethnicity,
                GENDER=p.person.sex,
                BIRTHPLACE=p.birthplace,
                ADDRESS=a.street,
                CITY=a.city,
                STATE=a.state.name,
                COUNTY=a.county,
                ZIP=a.zip,
                LAT=coord(a.lat),
                LON=coord(a.lon),
                HEALTHCARE_EXPENSES=money(p.expenses),
                HEALTHCARE_COVERAGE=money(p.coverage_paid),
            )

    def organization_rows(
        self, orgs: list[Organization], providers: list[Provider], people: list[Patient]
    ) -> None:
        org_use: dict[str, int] = {}
        provider_use: dict[str, int] = {}
        for enc in (e for p in people for e in p.encounters):
            org_use[enc.provider.organization.id] = org_use.get(enc.provider.organization.id, 0) + 1
            provider_use[enc.provider.id] = provider_use.get(enc.provider.id, 0) + 1
        for org in orgs:
            a = org.address
            self.add(
                "organizations",
                Id=org.id,
                NAME=text(org.name),
                ADDRESS=a.street.upper(),
                CITY=a.city.upper(),
                STATE=a.state.abbr,
                ZIP=a.zip,
                LAT=coord(a.lat),
                LON=coord(a.lon),
                PHONE=org.phone,
                REVENUE="0.0",
                UTILIZATION=str(org_use.get(org.id, 0)),
            )
        for pr in providers:
            a = pr.organization.address
            self.add(
                "providers",
                Id=pr.id,
                ORGANIZATION=pr.organization.id,
                NAME=pr.person.full,
                GENDER=pr.person.sex,
                SPECIALITY=pr.speciality,
                ADDRESS=a.street.upper(),
                CITY=a.city.upper(),
                STATE=a.state.abbr,
                ZIP=a.zip,
                LAT=coord(a.lat),
                LON=coord(a.lon),
                UTILIZATION=str(provider_use.get(pr.id, 0)),
            )

    def payer_rows(self, payers: list[Payer], people: list[Patient]) -> None:
        stats = {p.id: _PayerStats() for p in payers}
        for bill in self.bills:
            s = stats[bill.encounter.payer.id]
            s.covered += bill.covered
            s.uncovered += bill.total - bill.covered
            if bill.covered > 0:
                s.covered_encounters += 1
            else:
                s.uncovered_encounters += 1
        for p in people:
            for cov in p.coverages:
                stats[cov.payer.id].members.add(p.id)
                stats[cov.payer.id].member_months += max(1, (cov.end - cov.start).days // 30)
        for payer in payers:
            s = stats[payer.id]
            a = self.pop.address(self.rng, self.rng.choice(("MA", "CT", "NY", "MN")))
            phone = ids.format_phone(ids.phone_digits(self.rng, "800"), 5)
            none = payer.name == "NO_INSURANCE"
            self.add(
                "payers",
                Id=payer.id,
                NAME=payer.name,
                ADDRESS="" if none else a.street,
                CITY="" if none else a.city,
                STATE_HEADQUARTERED="" if none else a.state.abbr,
                ZIP="" if none else a.zip,
                PHONE="" if none else phone,
                AMOUNT_COVERED=money(s.covered),
                AMOUNT_UNCOVERED=money(s.uncovered),
                REVENUE=money(0.0),
                COVERED_ENCOUNTERS=str(s.covered_encounters),
                UNCOVERED_ENCOUNTERS=str(s.uncovered_encounters),
                COVERED_MEDICATIONS="0",
                UNCOVERED_MEDICATIONS="0",
                COVERED_PROCEDURES="0",
                UNCOVERED_PROCEDURES="0",
                COVERED_IMMUNIZATIONS="0",
                UNCOVERED_IMMUNIZATIONS="0",
                UNIQUE_CUSTOMERS=str(len(s.members)),
                QOLS_AVG=f"{self.rng.uniform(0.3, 1.0):.6f}" if s.members else "NaN",
                MEMBER_MONTHS=str(s.member_months),
            )


TRANSACTION_AMOUNTS = (
    "AMOUNT", "METHOD", "UNITAMOUNT", "TRANSFEROUTID", "TRANSFERTYPE", "PAYMENTS", "ADJUSTMENTS", "TRANSFERS",
    "OUTSTANDING",
)  # fmt: skip
EGFR = (
    "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by "
    "Creatinine-based formula (MDRD)"
)
HBA1C = "Hemoglobin A1c/Hemoglobin.total in Blood"


def build_hospital(seed: int, patients: int) -> Hospital:
    """Generate the hospital in memory. The same (seed, patients) always gives the same rows."""
    b = _Builder(seed)
    orgs = b.organizations()
    providers = b.providers(orgs)
    payers = b.payers()
    people = [b.patient(i) for i in range(patients)]
    for patient in people:
        b.coverages(patient, payers)
        b.encounters(patient, providers)
        b.clinical(patient)
    b.encounter_rows(people)
    b.payer_transition_rows(people)
    b.patient_rows(people)
    b.organization_rows(orgs, providers, people)
    b.payer_rows(payers, people)
    return Hospital(b.tables, people, providers, orgs)


def csv_lines(table: str, rows: list[Row]) -> Iterator[str]:
    header = HEADERS[table].split(",")
    yield HEADERS[table]
    for row in rows:
        assert set(row) == set(header), (table, sorted(set(row) ^ set(header)))
        cells = [row[c] for c in header]
        for cell in cells:
            assert not any(ch in cell for ch in ',"\n\r'), (table, cell)
        yield ",".join(cells)


def write_hospital(hospital: Hospital, out: Path) -> list[Path]:
    """Write the 18 CSVs into `out` (created if needed); returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        path = out / f"{table}.csv"
        path.write_text(
            "\n".join(csv_lines(table, hospital.tables[table])) + "\n", encoding="utf-8", newline="\n"
        )
        written.append(path)
    return written
