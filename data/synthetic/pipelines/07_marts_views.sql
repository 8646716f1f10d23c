-- 07 marts: views the care-management team reads.
CREATE SCHEMA IF NOT EXISTS marts;

CREATE OR REPLACE VIEW marts.v_patient_contact AS
SELECT
    p.patient_id,
    p.first_name || ' ' || p.last_name AS full_name,
    p.street,
    p.city,
    p.state,
    p.zip,
    p.ssn
FROM staging.stg_patients AS p
WHERE p.death_date IS NULL;

CREATE OR REPLACE VIEW marts.v_ckd_registry AS
SELECT
    pc.patient_id,
    pc.first_name,
    pc.last_name,
    pc.birth_date,
    pc.ckd_onset_date,
    egfr.value_number AS latest_egfr,
    egfr.observed_at AS latest_egfr_at,
    t.last_visit_at
FROM marts.patient_conditions AS pc
LEFT JOIN marts.latest_kidney_labs AS egfr
    ON egfr.patient_id = pc.patient_id AND egfr.loinc_code = '33914-3'
LEFT JOIN (
    SELECT patient_id, MAX(started_at) AS last_visit_at
    FROM marts.encounter_timeline
    GROUP BY patient_id
) AS t ON t.patient_id = pc.patient_id
WHERE pc.has_ckd = 1;
