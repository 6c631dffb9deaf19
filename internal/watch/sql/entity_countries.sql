-- The countries of the entities: a day is a business day when it is one in
-- any of them.
SELECT DISTINCT country FROM entity ORDER BY country
