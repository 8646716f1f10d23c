-- 08 research: a CKD / diabetes cohort for an IRB-approved study. Direct identifiers are dropped,
-- the SSN becomes a hashed study id, ZIPs become ZIP-3 ('000' for restricted areas) and ages over 89
-- are top-coded, with the birth year suppressed for them.
CREATE SCHEMA IF NOT EXISTS research;

CREATE OR REPLACE TABLE research.ckd_cohort AS
WITH cohort AS (
    SELECT
        pc.*,
        date_diff('year', pc.birth_date, COALESCE(pc.death_date, DATE '2024-09-30')) AS age_years
    FROM marts.patient_conditions AS pc
    WHERE pc.has_ckd = 1 OR pc.has_diabetes = 1
),

visits AS (
    SELECT patient_id, COUNT(*) AS visit_count, MAX(acute_visits) AS acute_visits
    FROM marts.encounter_timeline
    GROUP BY patient_id
),

spend AS (
    SELECT patient_id, SUM(charged) AS total_charged
    FROM marts.claim_ledger
    GROUP BY patient_id
)

SELECT
    md5(c.ssn || ':ckd-study-2024') AS research_id,
    CASE WHEN c.age_years > 89 THEN NULL ELSE year(c.birth_date) END AS birth_year,
    LEAST(c.age_years, 90) AS age_years,
    CASE
        WHEN left(c.zip, 3) IN (
            '036', '059', '063', '102', '203', '556', '692', '790', '821', '823', '830', '831', '878', '879',
            '884', '890', '893'
        ) THEN '000'
        ELSE left(c.zip, 3)
    END AS zip3,
    c.has_ckd,
    c.has_diabetes,
    c.has_hypertension,
    COALESCE(v.visit_count, 0) AS visit_count,
    COALESCE(v.acute_visits, 0) AS acute_visits,
    COALESCE(s.total_charged, 0) AS total_charged
FROM cohort AS c
LEFT JOIN visits AS v ON v.patient_id = c.patient_id
LEFT JOIN spend AS s ON s.patient_id = c.patient_id;
