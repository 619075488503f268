-- Feature flags and staged rollout (issue 22.6). A flag gives each learner an arm from a
-- stable hash of their id (engine/flags.py): `percent` of learners get the treatment arm,
-- the rest the control arm; a class's override replaces the percentage for its members;
-- `off` sends everyone to control at once and keeps the percentages for `flags set`.
-- The known flags, their arms and defaults are declared in code; a flag without a row
-- here has its declared default.
CREATE TABLE feature_flag (
    name       TEXT PRIMARY KEY,
    percent    INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
    off        INTEGER NOT NULL DEFAULT 0 CHECK (off IN (0, 1)),
    updated_at INTEGER NOT NULL
);

-- A class group's own percentage. Follows a group upgraded to a supergroup (ON UPDATE
-- CASCADE, as class_member does) and goes with the class.
CREATE TABLE feature_flag_class (
    name       TEXT NOT NULL REFERENCES feature_flag (name) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL
        REFERENCES class_group (chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    percent    INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (name, chat_id)
);

-- The scheduler arm that chose the set's problems, fixed when the set starts (a flag
-- changed mid-set applies from the next set); NULL for sets from before flags existed.
ALTER TABLE session ADD COLUMN scheduler_arm TEXT;

-- For next-day recall (`dojobot stats --by-flag`): ms since the learner's previous answer
-- to the same fact, taken from fact_memory in the answer's own transaction. NULL: the
-- first answer to the fact, a problem that is no fact, or an answer from before 0013.
ALTER TABLE attempt ADD COLUMN since_last_ms INTEGER;

-- A database without answers is new: the scheduler starts at 100%. One with history
-- rolls it out in stages from 0% (docs/operations.md, "Feature flags and rollout").
INSERT INTO feature_flag (name, percent, off, updated_at)
SELECT 'scheduler', CASE WHEN EXISTS (SELECT 1 FROM attempt) THEN 0 ELSE 100 END, 0,
       CAST(strftime('%s', 'now') AS INTEGER) * 1000;
