-- As migrations/0014_app_timing.up.sql, with PostgreSQL's 64-bit integer for a time in ms
-- like every other *_ms column here.
ALTER TABLE attempt ADD COLUMN timed_by TEXT;
ALTER TABLE attempt ADD COLUMN device_ms BIGINT;
