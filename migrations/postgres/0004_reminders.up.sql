-- Daily practice reminders. One row per learner who set a time; the schedule is this table:
-- one job a minute reads the rows whose next_due_at has passed, through reminder_due.
-- PostgreSQL twin of ../0004_reminders.up.sql (types as in 0001_schema.up.sql here).
CREATE TABLE reminder (
    user_id          BIGINT PRIMARY KEY REFERENCES "user" (user_id),
    local_minutes    INTEGER NOT NULL CHECK (local_minutes BETWEEN 0 AND 1439),
    enabled          INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    paused           INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    -- ms UTC of the next nudge; NULL while off or paused (so the due index skips the row)
    next_due_at      BIGINT,
    ignored_in_a_row INTEGER NOT NULL DEFAULT 0 CHECK (ignored_in_a_row >= 0),
    last_sent_at     BIGINT,
    last_sent_on     TEXT,     -- the learner's local date (ISO) of the last nudge sent
    updated_at       BIGINT NOT NULL,
    CHECK (next_due_at IS NULL OR (enabled = 1 AND paused = 0))
);
CREATE INDEX reminder_due ON reminder (next_due_at) WHERE next_due_at IS NOT NULL;

-- Streaks and "already practised today" read a learner's finished sets by end time.
CREATE INDEX session_user_finished ON session (user_id, end_time)
    WHERE end_time IS NOT NULL AND total_reps > 0;
