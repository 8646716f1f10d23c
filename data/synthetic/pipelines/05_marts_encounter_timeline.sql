-- 05 marts: each patient's visits in order, with gaps and running cost; latest kidney labs.
CREATE SCHEMA IF NOT EXISTS marts;

CREATE OR REPLACE TABLE marts.encounter_timeline AS
SELECT
    e.encounter_id,
    e.patient_id,
    e.encounter_class,
    e.encounter_description,
    e.started_at,
    pr.provider_name,
    pr.organization_name,
    ROW_NUMBER() OVER visits AS visit_number,
    LAG(e.started_at) OVER visits AS previous_visit_at,
    date_diff('day', LAG(e.started_at) OVER visits, e.started_at) AS days_since_previous,
    SUM(e.total_claim_cost) OVER (
        PARTITION BY e.patient_id ORDER BY e.started_at, e.encounter_id
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS cumulative_cost,
    COUNT(*) FILTER (WHERE e.encounter_class IN ('emergency', 'inpatient')) OVER (PARTITION BY e.patient_id)
        AS acute_visits
FROM staging.stg_encounters AS e
JOIN staging.stg_providers AS pr ON pr.provider_id = e.provider_id
WINDOW visits AS (PARTITION BY e.patient_id ORDER BY e.started_at, e.encounter_id);

CREATE OR REPLACE TABLE marts.latest_kidney_labs AS
SELECT
    o.patient_id,
    o.loinc_code,
    o.observation,
    o.value_number,
    o.units,
    o.observed_at
FROM staging.stg_observations AS o
WHERE o.loinc_code IN ('38483-4', '33914-3')
QUALIFY ROW_NUMBER() OVER (PARTITION BY o.patient_id, o.loinc_code ORDER BY o.observed_at DESC) = 1;
