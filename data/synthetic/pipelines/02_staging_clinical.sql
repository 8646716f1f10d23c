-- 02 staging: encounters and what happened in them, plus the reference tables they point to.
CREATE SCHEMA IF NOT EXISTS staging;

CREATE OR REPLACE TABLE staging.stg_encounters AS
SELECT
    e.Id AS encounter_id,
    e.PATIENT AS patient_id,
    e.ORGANIZATION AS organization_id,
    e.PROVIDER AS provider_id,
    e.PAYER AS payer_id,
    e.ENCOUNTERCLASS AS encounter_class,
    CAST(e.CODE AS VARCHAR) AS encounter_code,
    e.DESCRIPTION AS encounter_description,
    CAST(e.START AS TIMESTAMP) AS started_at,
    CAST(e.STOP AS TIMESTAMP) AS stopped_at,
    CAST(e.TOTAL_CLAIM_COST AS DECIMAL(14, 2)) AS total_claim_cost,
    CAST(e.PAYER_COVERAGE AS DECIMAL(14, 2)) AS payer_coverage,
    CAST(e.REASONCODE AS VARCHAR) AS reason_code
FROM encounters AS e;

CREATE OR REPLACE TABLE staging.stg_conditions AS
SELECT
    c.PATIENT AS patient_id,
    c.ENCOUNTER AS encounter_id,
    CAST(c.CODE AS VARCHAR) AS condition_code,
    c.DESCRIPTION AS condition_description,
    CAST(c.START AS DATE) AS onset_date,
    CAST(c.STOP AS DATE) AS resolved_date
FROM conditions AS c;

CREATE OR REPLACE TABLE staging.stg_observations AS
SELECT
    o.PATIENT AS patient_id,
    o.ENCOUNTER AS encounter_id,
    CAST(o.DATE AS TIMESTAMP) AS observed_at,
    o.CATEGORY AS category,
    CAST(o.CODE AS VARCHAR) AS loinc_code,
    o.DESCRIPTION AS observation,
    TRY_CAST(o.VALUE AS DOUBLE) AS value_number,
    CAST(o.VALUE AS VARCHAR) AS value_text,
    o.UNITS AS units
FROM observations AS o;

CREATE OR REPLACE TABLE staging.stg_medications AS
SELECT
    m.PATIENT AS patient_id,
    m.ENCOUNTER AS encounter_id,
    m.PAYER AS payer_id,
    CAST(m.CODE AS VARCHAR) AS rxnorm_code,
    m.DESCRIPTION AS medication,
    CAST(m.START AS TIMESTAMP) AS started_at,
    CAST(m.STOP AS TIMESTAMP) AS stopped_at,
    CAST(m.TOTALCOST AS DECIMAL(14, 2)) AS total_cost
FROM medications AS m;

CREATE OR REPLACE TABLE staging.stg_providers AS
SELECT
    pr.Id AS provider_id,
    pr.ORGANIZATION AS organization_id,
    pr.NAME AS provider_name,
    pr.SPECIALITY AS speciality,
    o.NAME AS organization_name,
    o.CITY AS organization_city,
    lpad(CAST(o.ZIP AS VARCHAR), 5, '0') AS organization_zip
FROM providers AS pr
JOIN organizations AS o ON o.Id = pr.ORGANIZATION;

CREATE OR REPLACE TABLE staging.stg_payers AS
SELECT
    py.Id AS payer_id,
    py.NAME AS payer_name,
    CASE
        WHEN py.NAME IN ('Medicare', 'Medicaid', 'Dual Eligible') THEN 'government'
        WHEN py.NAME = 'NO_INSURANCE' THEN 'self-pay'
        ELSE 'commercial'
    END AS payer_type
FROM payers AS py;
