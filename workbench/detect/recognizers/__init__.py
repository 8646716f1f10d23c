"""The registry of fast recognizers: one declaration per identifier family, run in this order.

Order breaks ties between equal-scoring overlapping matches (e.g. a passport-shaped value that is
also a driver's licence shape), so more specific families come first.
"""

from __future__ import annotations

from workbench.detect.recognizer import NameRecognizer, Recognizer
from workbench.detect.recognizers.account import ACCOUNT
from workbench.detect.recognizers.age import AGE_OVER_89
from workbench.detect.recognizers.biometric import BIOMETRIC
from workbench.detect.recognizers.date import DATE
from workbench.detect.recognizers.dea import DEA
from workbench.detect.recognizers.device_serial import DEVICE_SERIAL
from workbench.detect.recognizers.drivers_license import DRIVERS_LICENSE
from workbench.detect.recognizers.email import EMAIL
from workbench.detect.recognizers.geo_context import CITY, COUNTY, PLACE_AFTER_PREPOSITION, RESIDENCE
from workbench.detect.recognizers.health_plan import HEALTH_PLAN
from workbench.detect.recognizers.iban import IBAN
from workbench.detect.recognizers.ip import IP
from workbench.detect.recognizers.license_number import LICENSE_NUMBER
from workbench.detect.recognizers.mbi import MBI
from workbench.detect.recognizers.mrn import MRN
from workbench.detect.recognizers.npi import NPI
from workbench.detect.recognizers.other_id import ACCESSION, LABELLED_ID
from workbench.detect.recognizers.passport import PASSPORT
from workbench.detect.recognizers.payment_card import CARD_NUMBER, PAYMENT_CARD
from workbench.detect.recognizers.person_name import PERSON_NAME
from workbench.detect.recognizers.phone import FAX, PHONE
from workbench.detect.recognizers.phone_international import INTERNATIONAL_FAX, INTERNATIONAL_PHONE
from workbench.detect.recognizers.photo import PHOTO
from workbench.detect.recognizers.plate import PLATE
from workbench.detect.recognizers.ssn import SSN
from workbench.detect.recognizers.street_address import STREET_ADDRESS
from workbench.detect.recognizers.street_international import STREET_INTERNATIONAL
from workbench.detect.recognizers.udi import UDI
from workbench.detect.recognizers.url import URL
from workbench.detect.recognizers.uuid import UUID
from workbench.detect.recognizers.vin import VIN
from workbench.detect.recognizers.zip_code import POSTAL_CODE, ZIP_CODE

RECOGNIZERS: tuple[Recognizer | NameRecognizer, ...] = (
    EMAIL,
    URL,
    IP,
    UUID,
    UDI,
    MBI,
    VIN,
    SSN,
    FAX,
    PHONE,
    INTERNATIONAL_FAX,
    INTERNATIONAL_PHONE,
    NPI,
    DEA,
    PASSPORT,
    DRIVERS_LICENSE,
    MRN,
    HEALTH_PLAN,
    ACCOUNT,
    PAYMENT_CARD,
    CARD_NUMBER,
    IBAN,
    LICENSE_NUMBER,
    DEVICE_SERIAL,
    PLATE,
    ACCESSION,
    LABELLED_ID,
    DATE,
    AGE_OVER_89,
    STREET_ADDRESS,
    STREET_INTERNATIONAL,
    ZIP_CODE,
    POSTAL_CODE,
    COUNTY,
    CITY,
    RESIDENCE,
    PLACE_AFTER_PREPOSITION,
    BIOMETRIC,
    PHOTO,
    PERSON_NAME,
)

__all__ = ["RECOGNIZERS"]
