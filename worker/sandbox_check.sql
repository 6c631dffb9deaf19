-- The tables a sweep writes that do not resolve, in this session, to a
-- temporary table: none in a sandbox (sandbox_twins.sql).
SELECT coalesce(array_agg(n.name ORDER BY n.name) FILTER (WHERE c.relpersistence IS DISTINCT FROM 't'), '{}')
FROM unnest(ARRAY['reminder', 'provision', 'provision_review_state', 'provision_review_touch', 'provision_review_wake', 'task', 'journal_entry', 'event', 'promise', 'dispute', 'business_day',
                   'sweep_wake', 'sweep_state', 'sweep_net_sleep']) AS n(name)
LEFT JOIN pg_class c ON c.oid = to_regclass(n.name)
