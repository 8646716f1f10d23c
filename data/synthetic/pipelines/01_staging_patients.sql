-- 01 staging: patients, typed and renamed, one row per patient.
-- Keeps the direct identifiers (names, SSN, licence, address): billing downstream needs them.
CREATE SCHEMA IF NOT EXISTS staging;

CREATE OR REPLACE TABLE staging.stg_patients AS
SELECT
    p.Id AS patient_id,
    p.PREFIX AS name_prefix,
    p.FIRST AS first_name,
    p.LAST AS last_name,
    p.MAIDEN AS maiden_name,
    CAST(p.BIRTHDATE AS DATE) AS birth_date,
    CAST(p.DEATHDATE AS DATE) AS death_date,
    p.SSN AS ssn,
    p.DRIVERS AS drivers_license,
    p.PASSPORT AS passport,
    p.GENDER AS sex,
    p.RACE AS race,
    p.ETHNICITY AS ethnicity,
    p.MARITAL AS marital_status,
    p.ADDRESS AS street,
    p.CITY AS city,
    p.STATE AS state,
    p.COUNTY AS county,
    lpad(CAST(p.ZIP AS VARCHAR), 5, '0') AS zip,
    CAST(p.LAT AS DOUBLE) AS lat,
    CAST(p.LON AS DOUBLE) AS lon,
    CAST(p.HEALTHCARE_EXPENSES AS DECIMAL(14, 2)) AS healthcare_expenses,
    CAST(p.HEALTHCARE_COVERAGE AS DECIMAL(14, 2)) AS healthcare_coverage
FROM patients AS p;

CREATE OR REPLACE TABLE staging.stg_coverage AS
SELECT
    t.PATIENT AS patient_id,
    t.MEMBERID AS member_id,
    t.PAYER AS payer_id,
    CAST(t.START_YEAR AS TIMESTAMP) AS coverage_start,
    CAST(t.END_YEAR AS TIMESTAMP) AS coverage_end,
    t.OWNERSHIP AS ownership,
    t.OWNERNAME AS policy_holder_name
FROM payer_transitions AS t;
