-- Records the insolvency proceeding of client $1: kind $2, opened on $3,
-- published (BODACC) on $4 (NULL while unknown). Dunning and penalty accrual
-- freeze at the opening; the sweep creates the claim-declaration task once
-- the publication is known.
UPDATE client SET insolvency_kind = $2, insolvency_opened_on = $3, insolvency_published_on = $4, updated_at = now()
WHERE id = $1
