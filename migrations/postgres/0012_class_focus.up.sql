-- PostgreSQL twin of ../0012_class_focus.up.sql: "user" quoted, ids and times BIGINT, no
-- WITHOUT ROWID.
-- A class's weekly focus (issue 24): a topic and level its admins ask the members to
-- practise this week, and optionally a target of sets per member. One row per class and
-- week: [week_start, week_end) is the class's own Monday to Monday in its timezone (ms,
-- UTC), as the board's week, so "this week's focus" is a keyed range read. Past weeks stay
-- for the weekly post and the dashboard; the class's deletion takes them along.
-- set_by: the admin who set it (NULL for an anonymous admin, or after their /forgetme).
CREATE TABLE class_focus (
    chat_id             BIGINT NOT NULL
        REFERENCES class_group (chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    week_start          BIGINT NOT NULL,
    week_end            BIGINT NOT NULL CHECK (week_end > week_start),
    topic_id            INTEGER NOT NULL REFERENCES topic (topic_id),
    difficulty_level_id INTEGER NOT NULL REFERENCES difficulty_level (difficulty_level_id),
    target_sets         INTEGER CHECK (target_sets IS NULL OR target_sets BETWEEN 1 AND 20),
    set_by              BIGINT REFERENCES "user" (user_id),
    set_at              BIGINT NOT NULL,
    PRIMARY KEY (chat_id, week_start)
);
CREATE INDEX class_focus_set_by ON class_focus (set_by);
