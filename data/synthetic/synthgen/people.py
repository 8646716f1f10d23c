"""Fabricated people and US places, drawn from Faker with one explicitly seeded instance per locale.

Names come from many locales so that the data holds names of many origins; addresses come only from the
en_US provider and only from US states (plus DC, for the restricted ZIP-3 area 203). Which locale and which
state are chosen is decided by the caller's `random.Random`; what the chosen locale says is decided by that
locale's own seeded Faker, so the whole draw is reproducible from one integer.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from dataclasses import dataclass
from typing import Literal

from faker import Faker

Sex = Literal["M", "F"]

# (locale, weight, ISO country of birth or "" when births there are not written in Latin script).
# zh_CN and ja_JP are used through Faker's romanized name providers.
NAME_LOCALES: tuple[tuple[str, int, str], ...] = (
    ("en_US", 30, "US"),
    ("es_MX", 8, "MX"),
    ("vi_VN", 4, "VN"),
    ("zh_CN", 3, ""),
    ("ja_JP", 2, ""),
    ("yo_NG", 2, "NG"),
    ("ig_NG", 2, "NG"),
    ("en_IN", 4, "IN"),
    ("ga_IE", 3, "IE"),
    ("en_IE", 3, "IE"),
    ("tr_TR", 2, "TR"),
    ("sv_SE", 2, "SE"),
    ("pl_PL", 3, "PL"),
    ("pt_BR", 4, "BR"),
    ("nl_NL", 2, "NL"),
    ("de_DE", 3, "DE"),
    ("fr_FR", 3, "FR"),
    ("it_IT", 3, "IT"),
    ("fi_FI", 1, "FI"),
    ("hu_HU", 1, "HU"),
    ("tw_GH", 1, "GH"),
    ("zu_ZA", 1, "ZA"),
)
ROMANIZED = frozenset({"zh_CN", "ja_JP"})
HISPANIC_LOCALES = frozenset({"es_MX"})


@dataclass(frozen=True)
class State:
    abbr: str
    name: str
    lat: float
    lon: float


STATES: dict[str, State] = {
    s.abbr: s
    for s in (
        State("MA", "Massachusetts", 42.26, -71.80),
        State("NH", "New Hampshire", 43.45, -71.56),
        State("VT", "Vermont", 44.07, -72.67),
        State("CT", "Connecticut", 41.60, -72.70),
        State("RI", "Rhode Island", 41.68, -71.51),
        State("NY", "New York", 40.78, -73.97),
        State("DC", "District of Columbia", 38.90, -77.03),
        State("MN", "Minnesota", 47.50, -92.50),
        State("NE", "Nebraska", 41.13, -101.72),
        State("TX", "Texas", 31.76, -106.44),
        State("WY", "Wyoming", 43.00, -107.55),
        State("NM", "New Mexico", 34.40, -106.10),
        State("NV", "Nevada", 39.20, -117.00),
    )
}

# ZIP-3 areas with fewer than 20,000 people (Safe Harbor: these must become 000), and their state.
RESTRICTED_ZIP3: dict[str, str] = {
    "036": "NH", "059": "VT", "063": "CT", "102": "NY", "203": "DC", "556": "MN", "692": "NE",
    "790": "TX", "821": "WY", "823": "WY", "830": "WY", "831": "WY", "878": "NM", "879": "NM",
    "884": "NM", "890": "NV", "893": "NV",
}  # fmt: skip


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    sex: Sex
    locale: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    county: str
    state: State
    zip: str
    lat: float
    lon: float


def ascii_fold(text: str) -> str:
    """`Ó Cléireacháin` -> `OCleireachain`: for e-mail local parts and URL slugs."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded if c.isalnum())


def _locale_seed(seed: int, locale: str) -> int:
    digest = hashlib.sha256(f"{seed}:{locale}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _clean(text: str) -> str:
    """Synthea CSVs are unquoted: each comma becomes a space, as Synthea writes them (`a, b` -> `a  b`)."""
    return " ".join(text.split()).replace(",", " ")


class Population:
    """The Faker instances, one per locale, each seeded from (seed, locale)."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._fakers: dict[str, Faker] = {}
        self._locales = tuple(loc for loc, _, _ in NAME_LOCALES)
        self._weights = tuple(w for _, w, _ in NAME_LOCALES)
        self._country = {loc: c for loc, _, c in NAME_LOCALES}

    def faker(self, locale: str) -> Faker:
        fake = self._fakers.get(locale)
        if fake is None:
            fake = Faker(locale)
            fake.seed_instance(_locale_seed(self._seed, locale))
            self._fakers[locale] = fake
        return fake

    @property
    def us(self) -> Faker:
        return self.faker("en_US")

    def pick_locale(self, rng: random.Random) -> str:
        return rng.choices(self._locales, weights=self._weights)[0]

    def country_of(self, locale: str) -> str:
        return self._country[locale]

    def first_name(self, locale: str, sex: Sex) -> str:
        fake = self.faker(locale)
        if locale in ROMANIZED:
            return _clean(fake.first_romanized_name())
        name = fake.first_name_male() if sex == "M" else fake.first_name_female()
        return _clean(name)

    def last_name(self, locale: str) -> str:
        fake = self.faker(locale)
        return _clean(fake.last_romanized_name() if locale in ROMANIZED else fake.last_name())

    def person(self, rng: random.Random, sex: Sex | None = None, locale: str | None = None) -> Person:
        locale = locale or self.pick_locale(rng)
        options: tuple[Sex, ...] = ("M", "F")
        chosen: Sex = sex if sex is not None else rng.choice(options)
        return Person(self.first_name(locale, chosen), self.last_name(locale), chosen, locale)

    def relative(self, of: Person, sex: Sex, same_last: bool) -> Person:
        first = self.first_name(of.locale, sex)
        last = of.last if same_last else self.last_name(of.locale)
        return Person(first, last, sex, of.locale)

    def birthplace(self, rng: random.Random, locale: str) -> str:
        """Synthea's BIRTHPLACE: `City  State  Country` (its commas written as spaces)."""
        country = self.country_of(locale)
        if country in ("", "US") or rng.random() < 0.5:
            state = STATES["MA"] if rng.random() < 0.7 else rng.choice(list(STATES.values()))
            return _clean(f"{self.us.city()}, {state.name}, US")
        fake = self.faker(locale)
        try:
            region = fake.administrative_unit()
        except AttributeError:
            region = ""
        parts = [fake.city(), region, country] if region else [fake.city(), country]
        return _clean(", ".join(parts))

    def address(self, rng: random.Random, state: str, zip3: str | None = None) -> Address:
        """A US street address; `zip3` forces the ZIP into that three-digit area."""
        us = self.us
        st = STATES[state]
        zip_code = zip3 + f"{rng.randint(0, 99):02d}" if zip3 else us.zipcode_in_state(state)
        return Address(
            street=_clean(us.street_address()),
            city=_clean(us.city()),
            county=_clean(f"{us.last_name()} County"),
            state=st,
            zip=zip_code,
            lat=round(st.lat + rng.uniform(-0.6, 0.6), 8),
            lon=round(st.lon + rng.uniform(-0.6, 0.6), 8),
        )

    def email(self, rng: random.Random, person: Person) -> str:
        us = self.us
        if rng.random() < 0.3:
            return us.free_email()
        first, last = ascii_fold(person.first).lower(), ascii_fold(person.last).lower()
        local = rng.choice((f"{first}.{last}", f"{first[:1]}{last}", f"{first}{last}{rng.randint(1, 99)}"))
        return f"{local or 'pt'}@{us.free_email_domain()}"

    def domain(self) -> str:
        return self.us.domain_name()

    def ipv4(self) -> str:
        return str(self.us.ipv4_public())

    def ipv6(self) -> str:
        return str(self.us.ipv6())
