-- 09 export: patient-statement data for Acme Billing, a business associate that prints and mails
-- statements. The member key is derived from the SSN, and names and the mailing address go along.
-- The COPY writes exports/acme_billing.csv relative to the working directory, which must hold exports/.
CREATE SCHEMA IF NOT EXISTS export;

CREATE OR REPLACE TABLE export.ba_acme_billing (
    acme_member_key VARCHAR,
    patient_first_name VARCHAR,
    patient_last_name VARCHAR,
    birth_date DATE,
    mailing_street VARCHAR,
    mailing_city VARCHAR,
    mailing_state VARCHAR,
    mailing_zip VARCHAR,
    claim_id VARCHAR,
    service_date DATE,
    payer_name VARCHAR,
    amount_charged DECIMAL(14, 2),
    amount_due DECIMAL(14, 2)
);

INSERT INTO export.ba_acme_billing (
    acme_member_key, patient_first_name, patient_last_name, birth_date, mailing_street, mailing_city,
    mailing_state, mailing_zip, claim_id, service_date, payer_name, amount_charged, amount_due
)
SELECT
    'ACME-' || replace(p.ssn, '-', '') AS acme_member_key,
    p.first_name,
    p.last_name,
    p.birth_date,
    p.street,
    p.city,
    p.state,
    p.zip,
    l.claim_id,
    l.service_date,
    l.payer_name,
    l.charged,
    l.patient_responsibility
FROM marts.claim_ledger AS l
JOIN staging.stg_patients AS p ON p.patient_id = l.patient_id
WHERE l.patient_responsibility > 0;

COPY (
    SELECT *
    FROM export.ba_acme_billing
    ORDER BY acme_member_key, service_date, claim_id
) TO 'exports/acme_billing.csv' (HEADER, DELIMITER ',');
