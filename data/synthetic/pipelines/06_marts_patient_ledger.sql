-- 06 marts: money per claim - charges, payer payments and patient payments stacked, then summed.
CREATE SCHEMA IF NOT EXISTS marts;

CREATE OR REPLACE TABLE marts.claim_ledger (
    claim_id VARCHAR,
    patient_id VARCHAR,
    service_date DATE,
    payer_name VARCHAR,
    charged DECIMAL(14, 2),
    paid_by_payer DECIMAL(14, 2),
    paid_by_patient DECIMAL(14, 2),
    patient_responsibility DECIMAL(14, 2)
);

INSERT INTO marts.claim_ledger (
    claim_id, patient_id, service_date, payer_name, charged, paid_by_payer, paid_by_patient,
    patient_responsibility
)
WITH movements AS (
    SELECT l.claim_id, l.patient_id, 'charge' AS movement, l.amount AS amount
    FROM staging.stg_claim_lines AS l
    WHERE l.transaction_type = 'CHARGE'
    UNION ALL
    SELECT l.claim_id, l.patient_id, 'payer' AS movement, l.payments AS amount
    FROM staging.stg_claim_lines AS l
    WHERE l.transaction_type = 'PAYMENT' AND l.payment_method = 'ECHECK'
    UNION ALL
    SELECT l.claim_id, l.patient_id, 'patient' AS movement, l.payments AS amount
    FROM staging.stg_claim_lines AS l
    WHERE l.transaction_type = 'PAYMENT' AND l.payment_method <> 'ECHECK'
)
SELECT
    m.claim_id,
    m.patient_id,
    c.service_date,
    COALESCE(py.payer_name, 'NO_INSURANCE') AS payer_name,
    SUM(CASE WHEN m.movement = 'charge' THEN m.amount ELSE 0 END) AS charged,
    SUM(CASE WHEN m.movement = 'payer' THEN m.amount ELSE 0 END) AS paid_by_payer,
    SUM(CASE WHEN m.movement = 'patient' THEN m.amount ELSE 0 END) AS paid_by_patient,
    SUM(CASE WHEN m.movement = 'charge' THEN m.amount WHEN m.movement = 'payer' THEN -m.amount ELSE 0 END)
        AS patient_responsibility
FROM movements AS m
JOIN staging.stg_claims AS c ON c.claim_id = m.claim_id
LEFT JOIN staging.stg_payers AS py ON py.payer_id = c.payer_id
GROUP BY m.claim_id, m.patient_id, c.service_date, py.payer_name;
