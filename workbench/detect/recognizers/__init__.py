"""The registry of fast recognizers: one declaration per identifier family, run in this order.

Order breaks ties between equal-scoring overlapping matches (e.g. a passport-shaped value that is
also a driver's licence shape), so more specific families come first.
"""

from __future__ import annotations

from workbench.detect.recognizer import Recognizer
from workbench.detect.recognizers.date import DATE
from workbench.detect.recognizers.drivers_license import DRIVERS_LICENSE
from workbench.detect.recognizers.email import EMAIL
from workbench.detect.recognizers.ip import IP
from workbench.detect.recognizers.mbi import MBI
from workbench.detect.recognizers.npi import NPI
from workbench.detect.recognizers.passport import PASSPORT
from workbench.detect.recognizers.phone import FAX, PHONE
from workbench.detect.recognizers.ssn import SSN
from workbench.detect.recognizers.street_address import STREET_ADDRESS
from workbench.detect.recognizers.udi import UDI
from workbench.detect.recognizers.url import URL
from workbench.detect.recognizers.uuid import UUID
from workbench.detect.recognizers.vin import VIN
from workbench.detect.recognizers.zip_code import ZIP_CODE

RECOGNIZERS: tuple[Recognizer, ...] = (
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
    NPI,
    PASSPORT,
    DRIVERS_LICENSE,
    DATE,
    STREET_ADDRESS,
    ZIP_CODE,
)

__all__ = ["RECOGNIZERS"]
