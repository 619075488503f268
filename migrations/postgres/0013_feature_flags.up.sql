-- PostgreSQL twin of ../0013_feature_flags.up.sql: Telegram ids and times in ms BIGINT,
-- the current time in PostgreSQL's words. See there for what each part is for.
CREATE TABLE feature_flag (
    name       TEXT PRIMARY KEY,
    percent    INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
    off        INTEGER NOT NULL DEFAULT 0 CHECK (off IN (0, 1)),
    updated_at BIGINT NOT NULL
);

CREATE TABLE feature_flag_class (
    name       TEXT NOT NULL REFERENCES feature_flag (name) ON DELETE CASCADE,
    chat_id    BIGINT NOT NULL
        REFERENCES class_group (chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    percent    INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (name, chat_id)
);

ALTER TABLE session ADD COLUMN scheduler_arm TEXT;

ALTER TABLE attempt ADD COLUMN since_last_ms BIGINT;

INSERT INTO feature_flag (name, percent, off, updated_at)
SELECT 'scheduler', CASE WHEN EXISTS (SELECT 1 FROM attempt) THEN 0 ELSE 100 END, 0,
       (extract(epoch FROM now()) * 1000)::bigint;
