-- Records that $2 (cli:<user>) sent entity $1's messages although its
-- payment data was stale (`sweep --drain --ignore-stale`), on day $3, with
-- the as-of they accepted ($4, NULL: none ever) and its maximum age ($5).
INSERT INTO event (kind, detail, actor, reason, day)
VALUES ('stale_data_ignored', jsonb_build_object('entity', $1::text, 'payments_as_of', $4::timestamptz, 'max_age', $5::text),
        $2, 'sweep --drain --ignore-stale', $3)
