ALTER TABLE attempt DROP COLUMN since_last_ms;
ALTER TABLE session DROP COLUMN scheduler_arm;
DROP TABLE feature_flag_class;
DROP TABLE feature_flag;
