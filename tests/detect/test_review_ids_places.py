"""Reviewers' cases for record numbers, vehicle and device identifiers, photographs and places, as tables.

Same style as `test_recognizers.py`: (text, recognizer, the span it must report) and (text,
recognizer, the span it must not report, or None for nothing at all). Every value is synthetic.
"""

from __future__ import annotations

from collections import Counter

import pytest

from workbench.detect.engine import detect
from workbench.detect.scan import scan_text
from workbench.kinds import IdentifierKind as K

FOUND = [
    # mrn: more record-number labels, and the financial (encounter) number
    ("Med Rec No: 4456123", "mrn", "4456123"),
    ("MED REC NO. 4456123", "mrn", "4456123"),
    ("Hospital # 2231456", "mrn", "2231456"),
    ("Hosp No: 2231456", "mrn", "2231456"),
    ("Unit No. 778-45-12", "mrn", "778-45-12"),
    ("FIN 123456789012", "mrn", "123456789012"),
    ("FIN: 98765432", "mrn", "98765432"),
    ("financial number 123456", "mrn", "123456"),
    # vin: lower case; a code after a VIN label that fails the check (or a European VIN) is labelled_id's
    ("vin: 1hgcm82633a004352", "vin", "1hgcm82633a004352"),
    ("1hgcm82633a004352", "vin", "1hgcm82633a004352"),
    ("VIN: 2HGFB2F50FH512345", "labelled_id", "2HGFB2F50FH512345"),
    ("VIN WVWZZZ1JZXW000001", "labelled_id", "WVWZZZ1JZXW000001"),
    ("Vehicle identification number: WVWZZZ1JZXW000001", "labelled_id", "WVWZZZ1JZXW000001"),
    # labelled_id: a number after "NPI" that fails the NPI check is still an identifier
    ("NPI 1234567890", "labelled_id", "1234567890"),
    ("NPI #: 3234567893", "labelled_id", "3234567893"),
    # udi: a GTIN device identifier after GUDID / DI / UDI / GTIN
    ("GUDID 00844588003288", "udi", "00844588003288"),
    ("DI: 00844588003288", "udi", "00844588003288"),
    ("GTIN 0884458800328", "udi", "0884458800328"),
    # device_serial: MAC addresses of devices
    ("Device MAC 00:1B:44:11:3A:B7", "device_serial", "00:1B:44:11:3A:B7"),
    ("pump at 00:1b:44:11:3a:b7", "device_serial", "00:1b:44:11:3a:b7"),
    ("MAC 00-1B-44-11-3A-B7", "device_serial", "00-1B-44-11-3A-B7"),
    ("mac address 001b.4411.3ab7", "device_serial", "001b.4411.3ab7"),
    # photo: a photograph of the patient taken or kept for the record
    ("Pt photo taken for chart.", "photo", "photo taken"),
    ("Photograph of patient obtained on admission", "photo", "Photograph of patient obtained"),
    ("pictures were uploaded to the EMR", "photo", "pictures were uploaded"),
    ("photo in chart", "photo", "photo in chart"),
    ("Patient photographed for ID band", "photo", "Patient photographed"),
    # city: before a state and ZIP (clinical words allowed when also a name), after a residence phrase
    ("Salem, MA 01970", "city", "Salem"),
    ("Lives in Salem, MA.", "city", "Salem"),
    ("Lives in Fall River.", "city", "Fall River"),
    ("Lives in Little Rock, AR", "city", "Little Rock"),
    ("Patient lives in Fall River, MA 02720", "city", "Fall River"),
    ("FROM FALL RIVER, MA", "city", "FALL RIVER"),
    ("moved to Fall River 02720", "city", "Fall River"),
    ("Address: 77 Rue Lafayette #4, Burlington VT", "city", "Burlington"),
    ("Burlington VT", "city", "Burlington"),
    # street_address: street type first, a street without its number, a unit alone
    ("Address: 77 Rue Lafayette #4, Burlington VT", "street_address", "77 Rue Lafayette #4"),
    ("500 Camino Real", "street_address", "500 Camino Real"),
    ("10 Route 9", "street_address", "10 Route 9"),
    ("Resides at Sunrise Assisted Living on Oak Ave.", "street_address", "Oak Ave."),
    ("lives off Maple Street", "street_address", "Maple Street"),
    ("Apt. 4-C", "street_address", "Apt. 4-C"),
    ("Ste B-12", "street_address", "Ste B-12"),
    # postal_code: a ZIP+4 written without its dash, after a label
    ("zip code 021390001", "postal_code", "021390001"),
    ("ZIP: 021390001", "postal_code", "021390001"),
    # zip_code: after a state code, but not after dosing words
    ("Boston MA 02118", "zip_code", "02118"),
]

NOT_FOUND = [
    # mrn: words that are no record label
    ("the fin was 12345", "mrn", None),
    ("hospital 2 days", "mrn", None),
    ("Hospital stay 2 weeks", "mrn", None),
    ("given 3 units insulin", "mrn", None),
    ("unit no 12", "mrn", None),
    ("fin de semaine 2020", "mrn", None),
    # vin: a label without a code, placeholders, too short
    ("VIN: unknown", "vin", None),
    ("VIN 11111111111111111", "vin", None),
    ("VIN: 1234567", "vin", None),
    ("vin: 1hgcm82633a0043521", "vin", None),
    ("Vincent 1HGCM82633A00435", "vin", None),
    ("1hGCM82633A004352", "vin", None),
    ("VIN: 2HGFB2F50FH512345", "vin", None),
    # labelled_id: NPI-labelled numbers that are too short or long, or a checked NPI (that is npi's)
    ("NPI 1234567893", "labelled_id", None),
    ("NPI 12345", "labelled_id", None),
    ("NPI 1234567890123", "labelled_id", None),
    ("NPI pending", "labelled_id", None),
    ("NPI 123-456", "labelled_id", None),
    ("VIN: 1HGCM82633A004352", "labelled_id", None),
    ("VIN: unknown", "labelled_id", None),
    # udi: GTIN lengths only, and only after a label
    ("00844588003288", "udi", None),
    ("DI 123456789", "udi", None),
    ("di 00844588003288", "udi", None),
    ("GUDID pending", "udi", None),
    ("UDI 0084458800328812", "udi", None),
    # device_serial: times, placeholders, number pairs without a context word
    ("12:30:45", "device_serial", None),
    ("00:00:00:00:00:00", "device_serial", None),
    ("FF:FF:FF:FF:FF:FF", "device_serial", None),
    ("10-12-14-16-18-20", "device_serial", None),
    ("fe80::1ff:fe23:4567:890a", "device_serial", None),
    ("1:2:3:4:5:6", "device_serial", None),
    # photo: photographs of a wound, radiology images, photo IDs, negations, light
    ("wound photo taken and placed in chart", "photo", None),
    ("Photo ID verified at registration", "photo", None),
    ("CT images obtained", "photo", None),
    ("photophobia noted", "photo", None),
    ("no photo taken", "photo", None),
    ("rash pictures taken", "photo", None),
    # city: countries and states alone, care settings, clinical shorthand after a comma
    ("Lives in Haiti.", "city", None),
    ("Lives in Massachusetts.", "city", None),
    ("Pt is from Haiti.", "city", None),
    ("moved to ICU.", "city", None),
    ("Lives in Group Home.", "city", None),
    ("Lives in Assisted Living.", "city", None),
    ("Continue Coumadin, TX.", "city", None),
    ("Sats stable, Tolerating NC", "city", None),
    ("Head CT", "city", None),
    ("lives in the area.", "city", None),
    ("from Texas, TX 77001", "city", None),
    ("FROM FALL RIVER, MA", "city", "FROM FALL RIVER"),
    # residence and place_after_preposition: countries are not PHI
    ("Lives in Haiti with family", "residence", None),
    ("Moved from Vietnam in 2001", "residence", None),
    ("born in Guatemala", "residence", None),
    ("lives in Germany", "residence", None),
    ("relocated to Canada", "residence", None),
    ("visiting from Haiti.", "place_after_preposition", None),
    ("came from Vietnam, 2001", "place_after_preposition", None),
    ("flew in from Germany.", "place_after_preposition", None),
    ("back from Mexico.", "place_after_preposition", None),
    ("moved to Florida.", "place_after_preposition", None),
    # street_address: no street without a street word, a title or a function word
    ("on Dr. Lee's service", "street_address", None),
    ("at Home Depot", "street_address", None),
    ("Unit 4C", "street_address", None),
    ("Room 412", "street_address", None),
    ("2 Route changes", "street_address", None),
    ("on Coumadin daily", "street_address", None),
    ("Apt to fall", "street_address", None),
    # postal_code: nine digits without a label, or placeholders
    ("021390001", "postal_code", None),
    ("zip code 000000000", "postal_code", None),
    ("SSN 021390001", "postal_code", None),
    ("zip code 0213900011", "postal_code", None),
    ("zipper 021390001", "postal_code", None),
    # zip_code: a "state" that is a prescription's shorthand
    ("2 TABS PO BID TX 12345", "zip_code", None),
    ("Metoprolol 25 mg PO BID TX 12345", "zip_code", None),
    ("1 tab qd tx 12345", "zip_code", None),
    ("10 mg TX 12345", "zip_code", None),
    ("PRN TX 12345", "zip_code", None),
]

# Every GEO span of a text, in fast mode: the city and ZIP are found and the state and country are not.
GEO_SPANS = [
    ("Salem, MA 01970", ["Salem", "01970"]),
    ("Lives in Salem, MA.", ["Salem"]),
    ("Lives in Fall River.", ["Fall River"]),
    ("Lives in Little Rock, AR", ["Little Rock"]),
    ("Patient lives in Fall River, MA 02720", ["Fall River", "02720"]),
    ("Fall River, MA 02720", ["Fall River", "02720"]),
    ("Address: 77 Rue Lafayette #4, Burlington VT", ["77 Rue Lafayette #4", "Burlington"]),
    ("Burlington VT", ["Burlington"]),
    ("zip code 021390001", ["021390001"]),
    ("Apt 4C", ["Apt 4C"]),
    ("Resides at Sunrise Assisted Living on Oak Ave.", ["Oak Ave."]),
    ("2 TABS PO BID TX 12345", []),
    ("Lives in Haiti.", []),
    ("Moved from Massachusetts.", []),
    ("Lives in Texas", []),
]

# The kind each reviewer case is reported as, in both modes' fast layer.
KINDS = [
    ("Med Rec No: 4456123", "4456123", K.MRN),
    ("FIN 123456789012", "123456789012", K.MRN),
    ("vin: 1hgcm82633a004352", "1hgcm82633a004352", K.VEHICLE_ID),
    ("VIN: 2HGFB2F50FH512345", "2HGFB2F50FH512345", K.OTHER_ID),
    ("NPI 1234567890", "1234567890", K.OTHER_ID),
    ("GUDID 00844588003288", "00844588003288", K.DEVICE_ID),
    ("Device MAC 00:1B:44:11:3A:B7", "00:1B:44:11:3A:B7", K.DEVICE_ID),
    ("Pt photo taken for chart.", "photo taken", K.PHOTO),
]


def _spans(text: str) -> list[tuple[str, str]]:
    return [(finding.recognizer, text[finding.start : finding.end]) for finding in scan_text(text)]


@pytest.mark.parametrize(("text", "recognizer", "span"), FOUND)
def test_recognizer_finds(text: str, recognizer: str, span: str) -> None:
    assert (recognizer, span) in _spans(text)


@pytest.mark.parametrize(("text", "recognizer", "span"), NOT_FOUND)
def test_recognizer_does_not_find(text: str, recognizer: str, span: str | None) -> None:
    found = _spans(text)
    if span is None:
        assert recognizer not in [name for name, _span in found]
    else:
        assert (recognizer, span) not in found


@pytest.mark.parametrize(("text", "spans"), GEO_SPANS)
def test_geo_spans(text: str, spans: list[str]) -> None:
    found = [text[f.start : f.end] for f in detect(text, mode="fast") if f.kind is K.GEO]
    assert found == spans


@pytest.mark.parametrize(("text", "span", "kind"), KINDS)
def test_reported_kind(text: str, span: str, kind: K) -> None:
    assert (span, kind) in [(text[f.start : f.end], f.kind) for f in detect(text, mode="fast")]


def test_no_name_inside_a_facility_address() -> None:
    text = "Resides at Sunrise Assisted Living on Oak Ave."
    assert K.NAME not in {finding.kind for finding in detect(text, mode="fast")}


def test_every_touched_recognizer_has_five_negative_rows() -> None:
    negatives = Counter(recognizer for _text, recognizer, _span in NOT_FOUND)
    for recognizer in {name for _text, name, _span in FOUND}:
        assert negatives[recognizer] >= 5, recognizer
