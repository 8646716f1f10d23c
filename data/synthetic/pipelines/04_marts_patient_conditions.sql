-- 04 marts: one row per patient with condition flags, reached through encounters.
CREATE SCHEMA IF NOT EXISTS marts;

CREATE OR REPLACE TABLE marts.patient_conditions AS
WITH patient_dx AS (
    SELECT
        e.patient_id,
        c.condition_code,
        c.condition_description,
        c.onset_date
    FROM staging.stg_conditions AS c
    JOIN staging.stg_encounters AS e ON e.encounter_id = c.encounter_id
),

flags AS (
    SELECT
        d.patient_id,
        MAX(CASE
            WHEN d.condition_code IN ('431855005', '431856006', '433144002', '431857002', '127013003') THEN 1
            WHEN d.condition_description ILIKE '%chronic kidney disease%' THEN 1
            ELSE 0
        END) AS has_ckd,
        MAX(CASE WHEN d.condition_code = '44054006' OR d.condition_description ILIKE '%diabetes%' THEN 1 ELSE 0 END)
            AS has_diabetes,
        MAX(CASE WHEN d.condition_code = '59621000' THEN 1 ELSE 0 END) AS has_hypertension,
        MIN(CASE WHEN d.condition_description ILIKE '%kidney%' THEN d.onset_date END) AS ckd_onset_date,
        COUNT(DISTINCT d.condition_code) AS condition_count
    FROM patient_dx AS d
    GROUP BY d.patient_id
)

SELECT
    p.patient_id,
    p.first_name,
    p.last_name,
    p.ssn,
    p.birth_date,
    p.death_date,
    p.city,
    p.state,
    p.zip,
    COALESCE(f.has_ckd, 0) AS has_ckd,
    COALESCE(f.has_diabetes, 0) AS has_diabetes,
    COALESCE(f.has_hypertension, 0) AS has_hypertension,
    f.ckd_onset_date,
    COALESCE(f.condition_count, 0) AS condition_count
FROM staging.stg_patients AS p
LEFT JOIN flags AS f ON f.patient_id = p.patient_id;
