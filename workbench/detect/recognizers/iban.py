"""International bank account numbers (IBAN, ISO 13616) as account numbers (Safe Harbor (J)).

An IBAN is a country code, two check digits and the national account number (BBAN), written either
in one run ("GB82WEST12345698765432", any case) or in groups of four ("GB82 WEST 1234 5698 7654 32").
A match counts only when its length is the one the IBAN registry fixes for its country and the
ISO 7064 mod-97 check holds, which a random code of that shape passes about once in a hundred.
"""

from __future__ import annotations

from workbench.detect.recognizer import Pattern, Recognizer, token_start
from workbench.kinds import IdentifierKind

# Country code -> IBAN length, from the SWIFT IBAN registry.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def mod97_valid(iban: str) -> bool:
    """The ISO 7064 MOD 97-10 check of an IBAN given without spaces: letters count as 10..35."""
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


def reject(text: str) -> bool:
    """True unless `text` has its country's IBAN length and passes the mod-97 check."""
    compact = text.replace(" ", "").upper()
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum():
        return True
    return not mod97_valid(compact)


IBAN = Recognizer(
    name="iban",
    kind=IdentifierKind.ACCOUNT,
    patterns=(
        Pattern(
            "iban_compact",
            token_start("[A-Za-z]", r"[\w-]") + r"[A-Za-z][0-9]{2}[A-Za-z0-9]{11,30}(?![\w-])",
            0.7,
        ),
        Pattern(
            "iban_grouped",
            token_start("[A-Z]", r"[\w-]")
            + r"[A-Z][0-9]{2}(?:[ ][A-Z0-9]{4}){2,7}(?:[ ][A-Z0-9]{1,3})?(?![\w-])",
            0.7,
        ),
    ),
    context=("iban", "bank", "account", "acct", "transfer", "wire", "sepa", "bic", "swift"),
    reject=reject,
)
