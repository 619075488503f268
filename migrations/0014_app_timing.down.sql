ALTER TABLE attempt DROP COLUMN device_ms;
ALTER TABLE attempt DROP COLUMN timed_by;
