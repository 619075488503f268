-- Nothing on SQLite (see 0011_attempt_time_brin.up.sql).
SELECT 1;
