-- The state of letter $1 after a posting or a proof: $2 status, $3 tracking
-- number, $4 provider ref, $5 posted_on, $6 posted_by, $7 deposited_on,
-- $8 delivered_on, $9 refused_on, $10 failed_on, $11 outcome reason,
-- $12 proof URL.
UPDATE letter
SET status = $2, tracking_number = nullif($3, ''), provider_ref = nullif($4, ''), posted_on = $5,
    posted_by = nullif($6, ''), deposited_on = $7, delivered_on = $8, refused_on = $9, failed_on = $10,
    outcome_reason = nullif($11, ''), proof_url = nullif($12, ''), updated_at = now()
WHERE id = $1
