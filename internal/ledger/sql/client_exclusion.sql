-- The current exclusion state of client $1: the flag readers use, beside the
-- dated pause rows of kind 'exclusion' that the sweep replays.
UPDATE client SET excluded = $2, excluded_reason = nullif($3, ''), updated_at = now() WHERE id = $1
