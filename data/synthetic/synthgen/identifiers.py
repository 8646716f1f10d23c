"""Identifier numbers in their real-world shapes, with valid check digits where the real ones have them.

Every function draws from the `random.Random` it is given, so callers control determinism. None of the
numbers is looked up anywhere: they are well-formed, not real.
"""

from __future__ import annotations

import random
import string
import uuid
from datetime import date

DIGITS = string.digits
UPPER = string.ascii_uppercase


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(DIGITS) for _ in range(n))


def letters(rng: random.Random, n: int, alphabet: str = UPPER) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def synthea_uuid(rng: random.Random) -> str:
    """A lowercase 8-4-4-4-12 id, like the ids in a Synthea export."""
    return str(uuid.UUID(int=rng.getrandbits(128)))


# --- Luhn family: NPI, GTIN -------------------------------------------------------------------------


def luhn_check_digit(payload: str) -> str:
    """The digit that makes `payload + digit` pass the Luhn test."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # doubled: the rightmost payload digit sits next to the check digit
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return luhn_check_digit(number[:-1]) == number[-1]


def npi(rng: random.Random) -> str:
    """A 10-digit National Provider Identifier: Luhn over the prefix 80840 plus the first 9 digits."""
    body = rng.choice("12") + digits(rng, 8)
    return body + luhn_check_digit("80840" + body)


def npi_valid(number: str) -> bool:
    return len(number) == 10 and number.isdigit() and luhn_valid("80840" + number)


def gtin14(rng: random.Random) -> str:
    """A GS1 GTIN-14 (device identifier part of a UDI) with its mod-10 check digit."""
    body = rng.choice("0123") + "0" + digits(rng, 11)
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def udi(rng: random.Random, made: date, expires: date) -> str:
    """A GS1 Unique Device Identifier in human-readable form: (01)GTIN(11)made(17)expiry(10)lot(21)serial."""
    lot = letters(rng, 1) + digits(rng, rng.randint(4, 7))
    serial = digits(rng, rng.randint(6, 10))
    return f"(01){gtin14(rng)}(11){made:%y%m%d}(17){expires:%y%m%d}(10){lot}(21){serial}"


def device_serial(rng: random.Random) -> str:
    """A manufacturer serial number for an implant or pump, e.g. PJN412873H."""
    shape = rng.choice(("LLLDDDDDDL", "LLDDDDDDDL", "DLDDDDDDD", "LLL-DDDDD-L"))
    return "".join(rng.choice(UPPER) if c == "L" else rng.choice(DIGITS) if c == "D" else c for c in shape)


# --- DEA, MBI, VIN -----------------------------------------------------------------------------------


def dea(rng: random.Random, last_name: str) -> str:
    """A DEA registration number: registrant type, last-name initial, 6 digits and a check digit."""
    initial = next((c for c in last_name.upper() if c in UPPER), "9")
    d = [rng.randint(0, 9) for _ in range(6)]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return rng.choice("ABFGM") + initial + "".join(map(str, d)) + str(check)


def dea_valid(number: str) -> bool:
    d = [int(c) for c in number[2:]]
    return len(d) == 7 and (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]


MBI_LETTERS = "".join(c for c in UPPER if c not in "SLOIBZ")


def mbi(rng: random.Random, dashed: bool = True) -> str:
    """A Medicare Beneficiary Identifier (CMS format C A AN N A AN N A A N N), e.g. 1EG4-TE5-MK73."""
    alnum = MBI_LETTERS + DIGITS
    chars = [
        rng.choice("123456789"),
        rng.choice(MBI_LETTERS),
        rng.choice(alnum),
        rng.choice(DIGITS),
        rng.choice(MBI_LETTERS),
        rng.choice(alnum),
        rng.choice(DIGITS),
        rng.choice(MBI_LETTERS),
        rng.choice(MBI_LETTERS),
        rng.choice(DIGITS),
        rng.choice(DIGITS),
    ]
    s = "".join(chars)
    return f"{s[:4]}-{s[4:7]}-{s[7:]}" if dashed else s


VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_VIN_VALUES = {
    **{str(n): n for n in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_YEAR = dict(zip(range(2010, 2031), "ABCDEFGHJKLMNPRSTVWXY", strict=True)) | {
    y: str(y - 2000) for y in range(2001, 2010)
}
# (world manufacturer identifier, make, models) — public WMI prefixes
VEHICLE_MAKES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("1HG", "Honda", ("Civic", "Accord")),
    ("2T1", "Toyota", ("Corolla", "Matrix")),
    ("4T1", "Toyota", ("Camry", "Avalon")),
    ("1FT", "Ford", ("F-150", "Ranger")),
    ("1G1", "Chevrolet", ("Malibu", "Impala")),
    ("3VW", "Volkswagen", ("Jetta", "Golf")),
    ("5YJ", "Tesla", ("Model 3", "Model Y")),
    ("KMH", "Hyundai", ("Elantra", "Sonata")),
    ("JN1", "Nissan", ("Sentra", "Altima")),
    ("WBA", "BMW", ("328i", "X3")),
)


def vin_check_digit(vin: str) -> str:
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


def vin(rng: random.Random, wmi: str, year: int) -> str:
    """A 17-character VIN whose 9th character is the ISO 3779 check digit."""
    vds = letters(rng, 5, VIN_ALPHABET)
    tail = letters(rng, 1, VIN_ALPHABET) + digits(rng, 6)
    draft = wmi + vds + "0" + _VIN_YEAR[year] + tail
    return draft[:8] + vin_check_digit(draft) + draft[9:]


def vin_valid(number: str) -> bool:
    return len(number) == 17 and vin_check_digit(number) == number[8]


def plate(rng: random.Random) -> str:
    """A passenger plate in one of several US state layouts (e.g. 4TX 829, 7ABC123, 1KL-82)."""
    shape = rng.choice(("DLL DDD", "DLLLDDD", "DDDLLD", "LLL-DDDD", "DLL-DD", "DDD LLL"))
    return "".join(
        rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") if c == "L" else rng.choice(DIGITS) if c == "D" else c
        for c in shape
    )


# --- person-level numbers ----------------------------------------------------------------------------


def ssn_test_range(rng: random.Random) -> str:
    """An SSN in the 999- range that Synthea uses (never issued)."""
    return f"999-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"


def ssn_issued_shape(rng: random.Random) -> str:
    """An SSN shaped like an issued one: area 001-899 but not 666, group 01-99, serial 0001-9999."""
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def synthea_drivers(rng: random.Random) -> str:
    return "S999" + digits(rng, 5)


def synthea_passport(rng: random.Random) -> str:
    return "X" + digits(rng, 8) + "X"


def mrn(rng: random.Random) -> str:
    return rng.choice("123456789") + digits(rng, 6)


def hospital_account(rng: random.Random) -> str:
    return "45" + digits(rng, 8)


def claim_number(rng: random.Random, on: date) -> str:
    return f"CLM-{on:%Y%m%d}-{digits(rng, 5)}"


def member_id(rng: random.Random) -> str:
    """A commercial plan member id: a 3-letter prefix and 9 digits, e.g. XQH123456789."""
    return letters(rng, 3) + digits(rng, 9)


def medicaid_id(rng: random.Random) -> str:
    return "1000" + digits(rng, 8)


def state_license(rng: random.Random) -> str:
    return str(rng.randint(200000, 299999))


def accession(rng: random.Random, on: date) -> str:
    return f"RAD{on:%y}-{digits(rng, 6)}"


US_AREA_CODES = (
    "617", "508", "413", "978", "781", "339", "774", "857", "351", "603", "802", "860", "203",
    "212", "718", "612", "402", "915", "307", "505", "575", "702", "775", "202", "401", "207",
)  # fmt: skip


def phone_digits(rng: random.Random, area: str | None = None) -> str:
    area = area or rng.choice(US_AREA_CODES)
    exchange = str(rng.randint(2, 9)) + digits(rng, 2)
    if exchange.endswith("11"):
        exchange = exchange[:2] + "2"
    return area + exchange + digits(rng, 4)


def format_phone(number: str, style: int) -> str:
    """Render 10 digits in one of the US layouts people write."""
    a, e, n = number[:3], number[3:6], number[6:]
    layouts = (
        f"({a}) {e}-{n}",
        f"{a}-{e}-{n}",
        f"{a}.{e}.{n}",
        f"{a} {e} {n}",
        f"+1 {a}-{e}-{n}",
        f"1-{a}-{e}-{n}",
        f"{a}{e}{n}",
    )
    return layouts[style % len(layouts)]
