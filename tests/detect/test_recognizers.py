"""Each fast recognizer as a table: strings it must find (and the exact span), strings it must not.

Every value here is synthetic: Synthea's 999- SSNs, documentation-range phone numbers and
addresses, example.org domains, published sample NPIs and VINs.
"""

from __future__ import annotations

from collections import Counter

import pytest

from workbench.detect.recognizers import RECOGNIZERS
from workbench.detect.scan import scan_text

# (text, recognizer, the span it must report)
FOUND = [
    # ssn: SSA rules, 9xx still flagged (Synthea), any Unicode dash
    ("SSN 999-17-5017", "ssn", "999-17-5017"),
    ("123-45-6789", "ssn", "123-45-6789"),
    ("ssn 123 45 6789", "ssn", "123 45 6789"),
    ("123\u201345\u20136789", "ssn", "123\u201345\u20136789"),
    ("123\u201145\u20116789", "ssn", "123\u201145\u20116789"),
    ("123\uff0d45\uff0d6789", "ssn", "123\uff0d45\uff0d6789"),
    ("SSN: 123456789", "ssn", "123456789"),
    # phone
    ("call (508) 222-5200 today", "phone", "(508) 222-5200"),
    ("508-222-5200", "phone", "508-222-5200"),
    ("508.222.5200", "phone", "508.222.5200"),
    ("1-877-267-2323", "phone", "1-877-267-2323"),
    ("+1 508 222 5200", "phone", "+1 508 222 5200"),
    ("+1 (508) 222-5200", "phone", "+1 (508) 222-5200"),
    ("Phone: 5082225200", "phone", "5082225200"),
    ("508-222-5200 x123", "phone", "508-222-5200 x123"),
    ("Phone 508-222-5200, fax 508-222-5201", "phone", "508-222-5200"),
    # fax: phone-shaped, told apart by the nearest label
    ("Fax: 508-222-5201", "fax", "508-222-5201"),
    ("fax (508) 222-5201", "fax", "(508) 222-5201"),
    ("Phone 508-222-5200, fax 508-222-5201", "fax", "508-222-5201"),
    ("Fax: 508-222-5200, Phone: 508-222-5201", "fax", "508-222-5200"),
    ("facsimile 1-508-222-5201", "fax", "1-508-222-5201"),
    # email
    ("write to john.doe@example.com.", "email", "john.doe@example.com"),
    ("a_b+tag@mail.example.co.uk", "email", "a_b+tag@mail.example.co.uk"),
    ("JANE@EXAMPLE.ORG", "email", "JANE@EXAMPLE.ORG"),
    # url
    ("see https://example.org/path?q=1.", "url", "https://example.org/path?q=1"),
    ("visit www.example.com.", "url", "www.example.com"),
    ("http://10.0.0.1:8080/x", "url", "http://10.0.0.1:8080/x"),
    ("portal at mychart.example.org", "url", "mychart.example.org"),
    ("HTTPS://EXAMPLE.ORG", "url", "HTTPS://EXAMPLE.ORG"),
    # ip
    ("from 10.0.0.1", "ip", "10.0.0.1"),
    ("ip 192.168.1.254.", "ip", "192.168.1.254"),
    ("fe80::1ff:fe23:4567:890a", "ip", "fe80::1ff:fe23:4567:890a"),
    ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", "ip", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
    ("::ffff:10.0.0.1", "ip", "::ffff:10.0.0.1"),
    # zip: five digits need a context word, ZIP+4 stands alone
    ("ZIP 02155", "zip_code", "02155"),
    ("zip: 02155-1234", "zip_code", "02155-1234"),
    ("02155-1234", "zip_code", "02155-1234"),
    ("postal code 90210", "zip_code", "90210"),
    # street addresses
    ("784 Stamm Lock Unit 46", "street_address", "784 Stamm Lock Unit 46"),
    ("lives at 1028 Sawayn Throughway Apt 89.", "street_address", "1028 Sawayn Throughway Apt 89"),
    ("211 PARK STREET", "street_address", "211 PARK STREET"),
    ("12 Main St.", "street_address", "12 Main St."),
    ("838 Stoltenberg Vale", "street_address", "838 Stoltenberg Vale"),
    ("mail to P.O. Box 1234.", "street_address", "P.O. Box 1234"),
    ("PO BOX 77", "street_address", "PO BOX 77"),
    # dates: ISO, timestamps, numeric, month names
    ("2023-01-27", "date", "2023-01-27"),
    ("at 2023-01-27T16:17:47Z.", "date", "2023-01-27T16:17:47Z"),
    ("2023-01-27 16:17:47+00:00", "date", "2023-01-27 16:17:47+00:00"),
    ("2023-01-27 16:17:47.123", "date", "2023-01-27 16:17:47.123"),
    ("2023/01/27", "date", "2023/01/27"),
    ("DOB 1/2/1980", "date", "1/2/1980"),
    ("12-31-2020", "date", "12-31-2020"),
    ("31/12/2020", "date", "31/12/2020"),
    ("seen 3/4/21", "date", "3/4/21"),
    ("March 5, 2019", "date", "March 5, 2019"),
    ("in March 2019", "date", "March 2019"),
    ("27 Jan 2023", "date", "27 Jan 2023"),
    ("JAN 27, 2023", "date", "JAN 27, 2023"),
    ("Sept. 3rd, 2021", "date", "Sept. 3rd, 2021"),
    ("since May 5", "date", "May 5"),
    # mbi
    ("1EG4-TE5-MK73", "mbi", "1EG4-TE5-MK73"),
    ("MBI 1EG4TE5MK73", "mbi", "1EG4TE5MK73"),
    ("9AA9AA9AA99", "mbi", "9AA9AA9AA99"),
    # npi: Luhn over 80840, needs a context word
    ("NPI 1234567893", "npi", "1234567893"),
    ("npi: 1245319599", "npi", "1245319599"),
    ("prescriber 1003000126", "npi", "1003000126"),
    # uuid
    ("3edac2e3-d223-6fae-d515-daf96ef6bc76", "uuid", "3edac2e3-d223-6fae-d515-daf96ef6bc76"),
    ("3EDAC2E3-D223-6FAE-D515-DAF96EF6BC76", "uuid", "3EDAC2E3-D223-6FAE-D515-DAF96EF6BC76"),
    ("patient=3edac2e3-d223-6fae-d515-daf96ef6bc76;", "uuid", "3edac2e3-d223-6fae-d515-daf96ef6bc76"),
    # driver's licence, Synthea/Massachusetts form
    ("S99994942", "drivers_license", "S99994942"),
    ("Driver's license: S12345678", "license_number", "S12345678"),
    ("S12345678 on file", "drivers_license", "S12345678"),
    # passport
    ("X79835501X", "passport", "X79835501X"),
    ("passport 123456789", "license_number", "123456789"),
    ("travel document 123456789 (passport)", "passport", "123456789"),
    ("Passport: A12345678", "license_number", "A12345678"),
    ("passport holder A12345678", "passport", "A12345678"),
    # device UDI, GS1 human-readable form
    (
        "UDI (01)13465995954590(11)760704(17)010719(10)8477791433724820(21)488266988",
        "udi",
        "(01)13465995954590(11)760704(17)010719(10)8477791433724820(21)488266988",
    ),
    ("(01)00643169007222(17)160128(21)BLC200461H", "udi", "(01)00643169007222(17)160128(21)BLC200461H"),
    ("(01)13465995954590", "udi", "(01)13465995954590"),
    # vin: check digit in position 9
    ("1HGCM82633A004352", "vin", "1HGCM82633A004352"),
    ("VIN: 1M8GDM9AXKP042788", "vin", "1M8GDM9AXKP042788"),
]

# (text, recognizer, span that must not be reported by it; None: no finding of it anywhere)
NOT_FOUND = [
    ("000-12-3456", "ssn", None),
    ("666-12-3456", "ssn", None),
    ("123-00-4567", "ssn", None),
    ("123-45-0000", "ssn", None),
    ("111-11-1111", "ssn", None),
    ("078-05-1120", "ssn", None),
    ("123456789", "ssn", None),
    ("123-45-67890", "ssn", None),
    ("123-456-789", "ssn", None),
    ("123-45\u20136789", "ssn", None),
    ("5 mg", "ssn", None),
    ("91/42/7.36/25/-1", "phone", None),
    ("BP 128/74", "phone", None),
    ("123-456-7890", "phone", None),
    ("508-111-5200", "phone", None),
    ("911-555-1212", "phone", None),
    ("5082225200", "phone", None),
    ("2023-01-27", "phone", None),
    ("508-222-52000", "phone", None),
    ("3.14159265358", "phone", None),
    ("Fax: 508-222-5201", "phone", "508-222-5201"),
    ("508-222-5200", "fax", None),
    ("Phone: 508-222-5200", "fax", None),
    ("Fax: 508-111-5200", "fax", None),
    ("Fax: 128/74", "fax", None),
    ("the fax machine is broken", "fax", None),
    ("Fax: 508-222-5200, Phone: 508-222-5201", "fax", "508-222-5201"),
    ("user@localhost", "email", None),
    ("@handle", "email", None),
    ("a..b@example.com", "email", None),
    ("name@domain.c", "email", None),
    ("x@y.123", "email", None),
    ("john.doe at example.com", "email", None),
    ("SHIFT.PR", "url", None),
    ("e.g. this", "url", None),
    ("i.e. the", "url", None),
    ("file.txt", "url", None),
    ("Dr.Smith", "url", None),
    ("john.doe@example.com", "url", None),
    ("5.0 mg", "url", None),
    ("version 1.2.3", "url", None),
    ("256.1.1.1", "ip", None),
    ("1.2.3", "ip", None),
    ("1.2.3.4.5", "ip", None),
    ("1.2.840.10008.5.1.4.1.1.1.1", "ip", None),
    ("at 16:17:47", "ip", None),
    ("01.02.03.04", "ip", None),
    ("3.14", "ip", None),
    ("::1", "ip", None),
    ("02155", "zip_code", None),
    ("5 mg", "zip_code", None),
    ("zip 123456", "zip_code", None),
    ("zip 1234", "zip_code", None),
    ("zip 00000", "zip_code", None),
    ("zip 02155-12", "zip_code", None),
    ("zip 12345.67", "zip_code", None),
    ("Loratadine 5 MG Chewable Tablet", "street_address", None),
    ("NuvaRing 0.12/0.015 MG per 24HR 21 Day Vaginal Ring", "street_address", None),
    ("3 to 5 times a week", "street_address", None),
    ("Low Risk (MFS Score 0 - 24)", "street_address", None),
    ("a 7 Day Course", "street_address", None),
    ("2 Tablets Daily", "street_address", None),
    ("F/U APPT 9/30 AT 1400 WITH DR. HASSAN", "street_address", None),
    ("BP 128/74", "date", None),
    ("in 2019", "date", None),
    ("Mar", "date", None),
    ("March", "date", None),
    ("13/45/2020", "date", None),
    ("2023-13-01", "date", None),
    ("2023-02-30", "date", None),
    ("2023-01-27T25:00:00Z", "date", None),
    ("91/42/7.36/25/-1", "date", None),
    ("score 3-4-21", "date", None),
    ("5 mg", "date", None),
    ("patients may 5 times", "date", None),
    ("1SG4TE5MK73", "mbi", None),
    ("0EG4TE5MK73", "mbi", None),
    ("1EG4-TE5MK73", "mbi", None),
    ("1eg4te5mk73", "mbi", None),
    ("1EG4TE5MK7", "mbi", None),
    ("1EG4TE5MK733", "mbi", None),
    ("NPI 1234567890", "npi", None),
    ("1234567893", "npi", None),
    ("NPI 3234567893", "npi", None),
    ("NPI 123456789", "npi", None),
    ("NPI 12345678931", "npi", None),
    ("NPI 1234567893.5", "npi", None),
    ("3edac2e3-d223-6fae-d515", "uuid", None),
    ("3edac2e3d2236faed515daf96ef6bc76", "uuid", None),
    ("zzzzzzzz-d223-6fae-d515-daf96ef6bc76", "uuid", None),
    ("3edac2e3-d223-6fae-d515-daf96ef6bc761", "uuid", None),
    ("3edac2e3-d223-6fae-d515-daf96ef6bc7", "uuid", None),
    ("5 mg", "uuid", None),
    ("S9999494", "drivers_license", None),
    ("S999949421", "drivers_license", None),
    ("SS99994942", "drivers_license", None),
    ("s99994942", "drivers_license", None),
    ("S9999-4942", "drivers_license", None),
    ("X79835501X", "drivers_license", None),
    ("X7983550X", "passport", None),
    ("X798355011X", "passport", None),
    ("x79835501x", "passport", None),
    ("123456789", "passport", None),
    ("XX79835501X", "passport", None),
    ("X79835501XY", "passport", None),
    ("(01) see note", "udi", None),
    ("(01)123", "udi", None),
    ("(02)13465995954590", "udi", None),
    ("01)13465995954590", "udi", None),
    ("(01)1346599595459", "udi", None),
    ("(01)134659959545901", "udi", None),
    ("1HGCM82633A004353", "vin", None),
    ("1HGCM82633A00435", "vin", None),
    ("1HGCM82633A0043521", "vin", None),
    ("1HGCM82633A00435I", "vin", None),
    ("12345678901234567", "vin", None),
    ("ABCDEFGHJKLMNPRST", "vin", None),
]


# Clinical identifiers and names (the recognizers added for notes).
FOUND += [
    # names: titles, relations, labels, credentials, dictionaries; ALL-CAPS notes
    ("Seen by Dr. Okafor today", "person_name", "Okafor"),
    ("W/ DR JAJE. WILL NOTIFY", "person_name", "JAJE"),
    ("HIS WIFE MARY AT BEDSIDE", "person_name", "MARY"),
    ("SON ERIC TORO CALLED", "person_name", "ERIC TORO"),
    ("My son Roger can pick it up", "person_name", "Roger"),
    ("Patient: Kowalski, Mary    MRN", "person_name", "Kowalski, Mary"),
    ("-- J.P., RN", "person_name", "J.P."),
    ("Signed: Brandon Fitzpatrick, MD", "person_name", "Brandon Fitzpatrick"),
    ("lives with her daughter Ana Cecília da Cunha in town", "person_name", "Ana Cecília da Cunha"),
    ("for Dr. Ó Conbhá.", "person_name", "Ó Conbhá"),
    ("proxy for Dawn", "person_name", "Dawn"),
    ("Thanks so much,\nCarlos", "person_name", "Carlos"),
    ("discussed with Nguyen Van Minh and family", "person_name", "Nguyen Van Minh"),
    ("PT XIAO MING LI SEEN IN CLINIC", "person_name", "XIAO MING LI"),
    ("HIS WIFE NGUYEN THI LAN CALLED", "person_name", "NGUYEN THI LAN"),
    ("DTR OLUWASEUN AT BEDSIDE", "person_name", "OLUWASEUN"),
    ("DAUGHTER-IN-LAW GUADALUPE HERNANDEZ-RUIZ UPDATED", "person_name", "GUADALUPE HERNANDEZ-RUIZ"),
    ("IV SITE CHANGED BY RN M. DUBOIS", "person_name", "M. DUBOIS"),
    ("NOK: AMARA OKAFOR-BELLO (SISTER)", "person_name", "AMARA OKAFOR-BELLO"),
    ("Dr. Smith", "person_name", "Smith"),
    ("J.S. at bedside", "person_name", "J.S."),
    ("pt J. Smith", "person_name", "J. Smith"),
    ("HIS WIFE MARY CALLED", "person_name", "MARY"),
    ("Mr. Parkinson was seen", "person_name", "Parkinson"),
    # dates: short forms and ordinals
    ("F/U 9/27 W/ DR", "date", "9/27"),
    ("F/U 29-SEP.", "date", "29-SEP"),
    ("f/u 22-Jul", "date", "22-Jul"),
    ("d/c home 7/22", "date", "7/22"),
    ("WILL VISIT ON THE 11TH.", "date", "11TH"),
    ("Symptoms began on the 3rd.", "date", "3rd"),
    ("Posted September 24th", "date", "September 24th"),
    ("last seen 03/2021 in clinic", "date", "03/2021"),
    ("since 2019-07", "date", "2019-07"),
    ("DX 3/2019", "date", "3/2019"),
    # ages over 89
    ("PT IS A 92 YO F", "age_over_89", "92"),
    ("(101 y/o)", "age_over_89", "101"),
    ("PT AGE 91, LIVES ALONE", "age_over_89", "91"),
    ("92 yo", "age_over_89", "92"),
    ("a 95-year-old man", "age_over_89", "95"),
    ("who turned 90 on", "age_over_89", "90"),
    # medical record numbers
    ("MRN 5953396.", "mrn", "5953396"),
    ("(MR# 001288139)", "mrn", "001288139"),
    ("MRN: 00123456", "mrn", "00123456"),
    ("MR# A1234567", "mrn", "A1234567"),
    ("Medical record #: 1288139", "mrn", "1288139"),
    # health plan ids
    ("Cigna Health member ID YRK612174455.", "health_plan", "YRK612174455"),
    ("Coverage: Humana, ID FNL067333975.", "health_plan", "FNL067333975"),
    ("Medicaid # 100029858266", "health_plan", "100029858266"),
    # accounts and claims
    ("Acct #: 4501025095", "account", "4501025095"),
    ("denied claim CLM-20180507-80312 for", "account", "CLM-20180507-80312"),
    ("card 4111 1111 1111 1111 on file", "card_number", "4111 1111 1111 1111"),
    # licences, DEA
    ("license #297227)", "license_number", "297227"),
    ("DEA FF8163064.", "dea", "FF8163064"),
    ("DEA MJ6983818;", "dea", "MJ6983818"),
    # plates
    ("Plate is 4TX 829.", "plate", "4TX 829"),
    ("(plate 1KL-82, VIN", "plate", "1KL-82"),
    # device serials
    ("INFUSION PUMP SN 8F4758166 CHANGED", "device_serial", "8F4758166"),
    ("serial number CGH-00042-A.", "device_serial", "CGH-00042-A"),
    ("PCA PUMP #SOZ-54155-O", "device_serial", "SOZ-54155-O"),
    # accession and labelled ids
    ("ACCESSION: RAD14-336541", "accession", "RAD14-336541"),
    ("acc RAD21-004512;", "accession", "RAD21-004512"),
    ("Employee ID: 48213-B", "labelled_id", "48213-B"),
    ("ref # X7731", "labelled_id", "X7731"),
    # places
    ("(Moore County).", "county", "Moore County"),
    ("FROM LARRYLAND IN MCDONALD COUNTY", "county", "MCDONALD COUNTY"),
    ("882 Moody Common, West Aprilhaven, MA 01999", "city", "West Aprilhaven"),
    ("home to 9 Elm St, Springfield, 10274 with", "city", "Springfield"),
    ("12 Oak St Boston MA 02118", "city", "Boston"),
    ("12 OAK ST, BOSTON, MA 02118", "city", "BOSTON"),
    ("12 Main Street Apt 4 Springfield IL 62701", "city", "Springfield"),
    ("Boston, MA", "city", "Boston"),
    ("pt from Springfield IL", "place_after_preposition", "Springfield"),
    ("FELL AT HOME IN REVERE ON 12/2", "place_after_preposition", "REVERE"),
    ("lives in Springfield, IL", "residence", "Springfield"),
    ("ADMITTED 9/1 FROM DAISYHAVEN W/ CP", "place_after_preposition", "DAISYHAVEN"),
    ("visiting family in West Aprilhaven.", "place_after_preposition", "West Aprilhaven"),
    ("She lives in West Aprilhaven.", "residence", "West Aprilhaven"),
    ("born in Chiapas and moved to Lowell in 2010", "residence", "Lowell"),
    ("Home address: 15385 Bridges Way, East Kristen, MA 02366", "zip_code", "02366"),
    # biometrics and photos
    ("CONFIRMED BY PALM VEIN SCAN AT PYXIS", "biometric", "PALM VEIN SCAN"),
    ("verified by voice print on file", "biometric", "voice print"),
    ("RIGHT INDEX FINGERPRINT MATCHED", "biometric", "RIGHT INDEX FINGERPRINT"),
    ("retinal scan", "biometric", "retinal scan"),
    ("I uploaded a picture (face_20191126.png) so", "photo", "face_20191126.png"),
    ("against the facial photograph in the chart", "photo", "facial photograph"),
    ("attached IMG_4821.HEIC", "photo", "IMG_4821.HEIC"),
]

NOT_FOUND += [
    ("Parkinson's disease", "person_name", None),
    ("history of Bell's palsy", "person_name", None),
    ("Takes Coumadin 5 mg daily", "person_name", None),
    ("GLASGOW COMA SCALE 15", "person_name", None),
    ("FOLEY DRAINING CLEAR YELLOW URINE", "person_name", None),
    ("Acetaminophen 325 MG Oral Tablet", "person_name", None),
    ("BP 128/74 HR 72", "person_name", None),
    ("We moved here from Arizona in 2017", "person_name", None),
    ("WILL PAGE COVERING MD IF NEEDED", "person_name", None),
    ("HX PARKINSON, ALZHEIMER, HODGKIN", "person_name", None),
    ("Hx Parkinson, Alzheimer; treated for Hodgkin in 1998", "person_name", None),
    ("LASIX 40 IV GIVEN, COUMADIN HELD, HEPARIN GTT", "person_name", None),
    ("Lasix, Coumadin and Heparin per protocol", "person_name", None),
    ("WIFE REPORTS PT FELL", "person_name", None),
    ("NEPHEW IS HCP, PHONE ON FILE", "person_name", None),
    ("PT REFUSED AM MEDS, MD AWARE", "person_name", None),
    ("PT'S BROTHER-IN-LAW KENJI TANAKA", "person_name", "PT'S BROTHER-IN-LAW KENJI TANAKA"),
    ("Boston, MA", "person_name", None),
    ("SHIPPED VIA U.S. MAIL", "person_name", None),
    ("BP 120/80 HR 72", "person_name", None),
    ("aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7d", "person_name", None),
    ("Neck pain 6/10, no numbness", "date", None),
    ("1/2 TAB HELD FOR SBP<100", "date", None),
    ("for the 3rd time", "date", None),
    ("13/45", "date", None),
    ("13/2021", "date", None),
    ("2019-13", "date", None),
    ("25/2021", "date", None),
    ("BP 120/80", "date", None),
    ("ABG 91/42/7.36/25/-1", "date", None),
    ("PT IS A 67 YO M", "age_over_89", None),
    ("89 yo", "age_over_89", None),
    ("aged 9", "age_over_89", None),
    ("120 yo", "age_over_89", None),
    ("room 92", "age_over_89", None),
    ("MRN: pending", "mrn", None),
    ("Mr. Smith", "mrn", None),
    ("MR imaging of the spine", "mrn", None),
    ("8017347", "mrn", None),
    ("MRN-negative", "mrn", None),
    ("dGhpcyBpcyBhIHRlc3Qgb2YgYmFzZTY0IGVuY29kaW5n", "mrn", None),
    ("WzYXcPVI+mrjLNkD83h/1saETsVJ8Jas28O1+9s+", "mrn", None),
    ("token=WzYXcPVI+mr8j3LNkD83h/1saETsVJ8Jas28O1+9s=", "mrn", None),
    ("cLV3aJnls2u4uvtX47Kch//BGG+IDkldgJr1xIc3", "labelled_id", None),
    ("DlBreGFOsuFaI1XW+hEMtxnJBTNHJvCjsLv6g/oQ", "license_number", None),
    ("jbB7Csv9ugTMsheQ5vxdy+xsvd2lEW/ACcr6lqdG", "accession", None),
    ("member of the team", "health_plan", None),
    ("insurance pending", "health_plan", None),
    ("ABC123456789", "health_plan", None),
    ("policy: call first", "health_plan", None),
    ("group therapy", "health_plan", None),
    ("account of the fall", "account", None),
    ("claim denied", "account", None),
    ("4111 1111 1111 1112", "account", None),
    ("1234567890123", "account", None),
    ("CLM-20180507", "account", None),
    ("license expired", "license_number", None),
    ("licensed practical nurse", "license_number", None),
    ("license # pending", "license_number", None),
    ("certificate of need", "license_number", None),
    ("lic. renewal", "license_number", None),
    ("FF8163065", "dea", None),
    ("DEA AB1111111", "dea", None),
    ("AB798077", "dea", None),
    ("ab7980774", "dea", None),
    ("ZZ7980774X", "dea", None),
    ("plate reader", "plate", None),
    ("Plate is ABCD", "plate", None),
    ("tag 1234", "plate", None),
    ("platelet count 150", "plate", None),
    ("registration desk", "plate", None),
    ("serial exams", "device_serial", None),
    ("SN pending", "device_serial", None),
    ("lot of pain", "device_serial", None),
    ("serial number unknown", "device_serial", None),
    ("S/N: ---", "device_serial", None),
    ("accession pending", "accession", None),
    ("order set", "accession", None),
    ("case discussed", "accession", None),
    ("study of the spine", "accession", None),
    ("acc-", "accession", None),
    ("ID band checked", "labelled_id", None),
    ("ref to ortho", "labelled_id", None),
    ("record reviewed", "labelled_id", None),
    ("ID: unknown", "labelled_id", None),
    ("reference range", "labelled_id", None),
    ("country of origin", "county", None),
    ("County", "county", None),
    ("IN COUNTY", "county", None),
    ("the county fair", "county", None),
    ("12 County", "county", None),
    ("Attending: Brandon Fitzpatrick, MD (NPI 2610125405)", "city", None),
    ("Dr. Smith, PA", "city", None),
    ("as noted, CT 12345678", "city", None),
    ("moved here from Ohio", "city", None),
    ("Boston", "city", None),
    ("Smith, MD", "city", None),
    ("12 Oak St Boston", "city", None),
    ("moved here from Ohio in 2017.", "place_after_preposition", None),
    ("back to Coumadin 5 mg", "place_after_preposition", None),
    ("transferred to ICU.", "place_after_preposition", None),
    ("in Parkinson's disease", "place_after_preposition", None),
    ("REHAB IN MAINE.", "place_after_preposition", None),
    ("came in The morning", "place_after_preposition", None),
    ("lives in a nursing home", "residence", None),
    ("moved to Texas last year", "residence", None),
    ("born in 1950", "residence", None),
    ("lives alone", "residence", None),
    ("moved to ICU", "residence", None),
    ("iris", "biometric", None),
    ("face", "biometric", None),
    ("finger stick glucose", "biometric", None),
    ("iritis", "biometric", None),
    ("voice is hoarse", "biometric", None),
    ("print the form", "biometric", None),
    ("photo_2021_03", "photo", None),
    ("file.txt", "photo", None),
    ("photo ID", "photo", None),
    ("face mask", "photo", None),
    ("SHIFT.PRN", "photo", None),
    ("report.pdf", "photo", None),
]

# Identifiers written the way the rest of the world writes them (documentation and example values:
# ISO 13616's sample IBANs, card-network test numbers, Ofcom's drama numbers, ACMA's fictitious range).
FOUND += [
    # iban: country length and mod-97
    ("IBAN GB82 WEST 1234 5698 7654 32 for the refund", "iban", "GB82 WEST 1234 5698 7654 32"),
    ("wire to GB82WEST12345698765432.", "iban", "GB82WEST12345698765432"),
    ("iban: gb82west12345698765432", "iban", "gb82west12345698765432"),
    ("DE89370400440532013000", "iban", "DE89370400440532013000"),
    ("konto NL91ABNA0417164300", "iban", "NL91ABNA0417164300"),
    # payment cards: Luhn, any major industry that issues cards
    ("4111 1111 1111 1111", "payment_card", "4111 1111 1111 1111"),
    ("paid with 5555555555554444 yesterday", "payment_card", "5555555555554444"),
    ("amex 3782 822463 10005", "payment_card", "3782 822463 10005"),
    ("2223003122003222", "payment_card", "2223003122003222"),
    # card numbers after "card", checksum or not
    ("My card 4111111111111112 is lost", "card_number", "4111111111111112"),
    ("card no 180012345678901", "card_number", "180012345678901"),
    ("credit card number is 2131 0000 0000 0008", "card_number", "2131 0000 0000 0008"),
    ("limit on my card # 3530111333300000", "card_number", "3530111333300000"),
    # international phones: E.164, trunk prefix 0, groupings after a telephone word
    ("Desk: +44 7700 900123", "phone_international", "+44 7700 900123"),
    ("+33 1 99 00 12 34 (office)", "phone_international", "+33 1 99 00 12 34"),
    ("+41 (0)44 668 18 00", "phone_international", "+41 (0)44 668 18 00"),
    ("+447700900123", "phone_international", "+447700900123"),
    ("0044 20 7946 0958", "phone_international", "0044 20 7946 0958"),
    ("ring 07700 900 123 after six", "phone_international", "07700 900 123"),
    ("020 7946 0958", "phone_international", "020 7946 0958"),
    ("0491 570 156", "phone_international", "0491 570 156"),
    ("01.99.00.12.34", "phone_international", "01.99.00.12.34"),
    ("Phone: 699 000 915", "phone_international", "699 000 915"),
    ("call me on 9472 0000?", "phone_international", "9472 0000"),
    ("Mobile: (37) 788-063", "phone_international", "(37) 788-063"),
    ("Tel 60-00-85-91", "phone_international", "60-00-85-91"),
    ("0491 570 156-Office", "phone_international", "0491 570 156"),
    ("Fax: +44 20 7946 0959", "fax_international", "+44 20 7946 0959"),
    ("fax 020 7946 0959", "fax_international", "020 7946 0959"),
    # postal codes after a label
    ("ZIP: 2100", "postal_code", "2100"),
    ("postal code 3610-114", "postal_code", "3610-114"),
    ("postcode SW1A 1AA", "postal_code", "SW1A 1AA"),
    ("Postal code: K1A 0B1", "postal_code", "K1A 0B1"),
    ("zip code is 114 55", "postal_code", "114 55"),
    ("Postcode: 1012 AB", "postal_code", "1012 AB"),
    # streets of the world, address blocks, military addresses
    ("lives at Rua das Flores 123, Porto", "street_international", "Rua das Flores 123, Porto"),
    ("12 rue de la Paix", "street_international", "12 rue de la Paix"),
    ("Via Roma 5", "street_international", "Via Roma 5"),
    ("Hauptstraße 5, Berlin", "street_international", "Hauptstraße 5, Berlin"),
    ("sent to Nørregade 10 yesterday", "street_international", "Nørregade 10"),
    ("Mannerheimintie 12 B", "street_international", "Mannerheimintie 12"),
    ("Berliner Straße 12", "street_international", "Berliner Straße 12"),
    ("Andrássy út 60.", "street_international", "Andrássy út 60."),
    ("PSC 1234, Box 5678", "street_international", "PSC 1234, Box 5678"),
    ("APO AE 09012", "street_international", "APO AE 09012"),
    ("Unit 2050 Box 4190", "street_international", "Unit 2050 Box 4190"),
    ("12 Main St\nApt. 4\nSpringfield", "street_international", "Apt. 4"),
    ("12 Main St\n Apt. 4\n SPRINGFIELD\n", "street_international", "SPRINGFIELD"),
    ("Nørregade 10\nKøbenhavn\nDenmark", "street_international", "København"),
    # names: a speaker's given name before a colon, and lists of names
    ("Nicole: Remember to call.", "person_name", "Nicole"),
    ("Q: who came?\nHalldór: my brother", "person_name", "Halldór"),
    ("founded by Eklund, Michael and Hodge", "person_name", "Hodge"),
    ("Marrero and Murphy were there", "person_name", "Marrero"),
    ("with Dr. Lee and Park", "person_name", "Park"),
    ("Her name is Rubija", "person_name", "Rubija"),
    ("mobile: 99 577450", "phone_international", "99 577450"),
    ("address: 450 Præstevænget 15", "street_international", "450 Præstevænget 15"),
]

NOT_FOUND += [
    # iban
    ("GB82WEST12345698765433", "iban", None),  # check digits wrong
    ("GB82WEST1234569876543", "iban", None),  # a character short for GB
    ("XX82WEST12345698765432", "iban", None),  # no such country
    ("ABC1234567890123", "iban", None),
    ("LOT AB12CD34EF56GH78", "iban", None),
    ("NDC 00409-4888-02", "iban", None),
    # payment cards
    ("4111 1111 1111 1112", "payment_card", None),  # Luhn fails
    ("1234567890123", "payment_card", None),
    ("0000000000000000", "payment_card", None),
    ("20230127161747", "payment_card", None),
    ("(01)13465995954590", "payment_card", None),
    ("INR 4111111111111111/2", "payment_card", None),
    # card numbers
    ("insurance card 123456789012", "card_number", None),
    ("Member Card 123456789012", "card_number", None),
    ("card 1234", "card_number", None),
    ("card 0000 0000 0000 0000", "card_number", None),
    ("card given 2023-01-27", "card_number", None),
    ("scorecard 123456789012", "card_number", None),
    # international phones
    ("91/42/7.36/25/-1", "phone_international", None),
    ("BP 120/80 HR 72", "phone_international", None),
    ("meds given at 0800 1400 2000", "phone_international", None),
    ("edema +2 to +3", "phone_international", None),
    ("K 4.1 Na 140 Cl 102", "phone_international", None),
    ("0.5 mg 0.25 mg", "phone_international", None),
    ("seen 05.12.2022", "phone_international", None),
    ("call on 12 03 2020", "phone_international", None),
    ("02155-1234", "phone_international", None),
    ("699 000 915", "phone_international", None),  # no telephone word
    ("Glucose 120 135 142", "phone_international", None),
    ("+1 508 111 5200", "phone_international", None),  # +1 must follow the NANP
    ("Fax: 0.5 1.0", "fax_international", None),
    ("020 7946 0958", "fax_international", None),
    ("Phone: 020 7946 0958", "fax_international", None),
    ("the fax machine is broken", "fax_international", None),
    ("fax 12/03/2020", "fax_international", None),
    # postal codes
    ("zip code unknown", "postal_code", None),
    ("ZIP: 0000", "postal_code", None),
    ("zip 12", "postal_code", None),
    ("zip-lock bag 2100", "postal_code", None),
    ("postal code 12345", "postal_code", None),  # US five digits: zip_code's
    ("ZIP 2100/5", "postal_code", None),
    # streets of the world
    ("Via Foley 16 Fr", "street_international", None),
    ("VIA PEG 240 ML", "street_international", None),
    ("f/u apt 2 weeks", "street_international", None),
    ("next Apt 3/12", "street_international", None),
    ("transferred to Unit 4", "street_international", None),
    ("Suite 3 days", "street_international", None),
    ("Plan:\nContinue", "street_international", None),
    ("Patient tie 2", "street_international", None),
    # names
    ("Plan: continue lasix", "person_name", None),
    ("Endo: TSH 2.1", "person_name", None),
    ("Neuro: A&O x3", "person_name", None),
    ("Sats: 95% on RA", "person_name", None),
    ("Lasix, Coumadin and Heparin", "person_name", None),
    ("Dr. Smith, Cardiology and Renal following", "person_name", "Cardiology"),
    ("Grace: better today", "person_name", None),
    ("the name is unclear", "person_name", None),
    ("Name is Tylenol", "person_name", None),
]

# Numbers of a clinical record that are neither phones nor accounts.
NOTHING_FOUND_NUMBERS = [
    "ABG 7.36/42/91/25/-1",
    "BP 120/80 mmHg",
    "Hgb 10.2 9.8 9.5",
    "Metoprolol 25 mg PO BID at 0800 2000",
    "I/O 1200/850",
    "Plt 150 000",
    "WBC 12.5 x 10^9/L",
    "INR 2.3, PT 25.1, PTT 36",
    "Lactate 2.1 -> 1.4",
    "0.9% NS 1000 mL over 8 hours",
    "GCS 15 E4 V5 M6",
    "Temp 37.2 HR 88 RR 18 SpO2 96 %",
    "pH 7.36 pCO2 42 pO2 91 HCO3 25 BE -1",
    "titrate 0.05 - 0.1 mcg/kg/min",
]

# Strings of a clinical record that are no identifier at all.
NOTHING_FOUND = [
    "5 mg",
    "BP 128/74, HR 72",
    "91/42/7.36/25/-1",
    "in 2019",
    "SHIFT.PR",
    "Loratadine 5 MG Chewable Tablet",
    "Body mass index (BMI) [Ratio]",
    "8302-2",
    "1.2.840.10008.5.1.4.1.1.1.1",
    "Influenza  seasonal  injectable  preservative free",
    "NDA020800 0.3 ML Epinephrine 1 MG/ML Auto-Injector",
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


@pytest.mark.parametrize("text", NOTHING_FOUND + NOTHING_FOUND_NUMBERS)
def test_clinical_strings_hold_no_identifier(text: str) -> None:
    assert scan_text(text) == []


def test_every_recognizer_has_a_table_with_negative_rows() -> None:
    positives = Counter(recognizer for _text, recognizer, _span in FOUND)
    negatives = Counter(recognizer for _text, recognizer, _span in NOT_FOUND)
    for recognizer in RECOGNIZERS:
        assert positives[recognizer.name] >= 2, recognizer.name
        assert negatives[recognizer.name] >= 5, recognizer.name


def test_found_spans_have_the_recognizers_kind() -> None:
    kinds = {recognizer.name: recognizer.kind for recognizer in RECOGNIZERS}
    for text, _name, _span in FOUND:
        for finding in scan_text(text):
            assert finding.kind == kinds[finding.recognizer], text
    assert {name for _text, name, _span in FOUND} == set(kinds)
