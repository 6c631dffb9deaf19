-- The countries of the clients, each once, in order: the calendars the sweep
-- needs. A skip over client_country_idx (migration 00220), one probe per
-- country, not a read of every client.
WITH RECURSIVE countries AS (
    (SELECT country FROM client ORDER BY country LIMIT 1)
    UNION ALL
    SELECT (SELECT c.country FROM client c WHERE c.country > countries.country ORDER BY c.country LIMIT 1)
    FROM countries
    WHERE countries.country IS NOT NULL
)
SELECT country FROM countries WHERE country IS NOT NULL
