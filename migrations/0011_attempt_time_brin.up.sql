-- Nothing on SQLite: `dojobot stats` reads the answers since a time as one range of
-- attempt_topic_time per topic (storage/kpis.py pins it), which is quick enough there
-- (BENCHMARKS.md section 2). PostgreSQL's twin (postgres/0011_attempt_time_brin.up.sql)
-- adds a BRIN index that SQLite has no equivalent of.
SELECT 1;
