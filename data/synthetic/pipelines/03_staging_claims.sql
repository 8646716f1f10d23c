-- 03 staging: claims and their transaction lines.
CREATE SCHEMA IF NOT EXISTS staging;

CREATE OR REPLACE TABLE staging.stg_claims AS
SELECT
    cl.Id AS claim_id,
    cl.PATIENTID AS patient_id,
    cl.PROVIDERID AS provider_id,
    CAST(cl.PRIMARYPATIENTINSURANCEID AS VARCHAR) AS payer_id,
    cl.APPOINTMENTID AS encounter_id,
    CAST(cl.SERVICEDATE AS DATE) AS service_date,
    CAST(cl.DIAGNOSIS1 AS VARCHAR) AS primary_diagnosis,
    cl.STATUSP AS patient_status
FROM claims AS cl;

CREATE OR REPLACE TABLE staging.stg_claim_lines AS
SELECT
    ct.ID AS transaction_id,
    ct.CLAIMID AS claim_id,
    ct.PATIENTID AS patient_id,
    ct.TYPE AS transaction_type,
    ct.METHOD AS payment_method,
    CAST(ct.PROCEDURECODE AS VARCHAR) AS procedure_code,
    ct.NOTES AS line_description,
    CAST(COALESCE(ct.AMOUNT, 0) AS DECIMAL(14, 2)) AS amount,
    CAST(COALESCE(ct.PAYMENTS, 0) AS DECIMAL(14, 2)) AS payments,
    CAST(COALESCE(ct.TRANSFERS, 0) AS DECIMAL(14, 2)) AS transfers,
    CAST(ct.FROMDATE AS TIMESTAMP) AS from_at
FROM claims_transactions AS ct;
