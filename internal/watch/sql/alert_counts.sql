-- How many alerts of each kind were ever raised, for the metrics.
SELECT kind, count(*) FROM event WHERE kind LIKE 'alert\_%' GROUP BY kind ORDER BY kind
