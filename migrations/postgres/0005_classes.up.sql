-- Class leaderboards: a Telegram group is a class; learners join it and practise in private.
-- chat_id is Telegram's group id. A group upgraded to a supergroup gets a new id: the
-- bot moves the row (members follow through ON UPDATE CASCADE) in one transaction.
-- PostgreSQL twin of ../0005_classes.up.sql (types as in 0001_schema.up.sql here).
CREATE TABLE class_group (
    chat_id          BIGINT PRIMARY KEY,
    title            TEXT NOT NULL,
    timezone         TEXT NOT NULL DEFAULT 'UTC',
    period           TEXT NOT NULL DEFAULT 'week' CHECK (period IN ('week', 'month', 'all')),
    topic_id         INTEGER REFERENCES topic (topic_id),  -- NULL: all topics
    weekly_post      INTEGER NOT NULL DEFAULT 1 CHECK (weekly_post IN (0, 1)),
    -- Start (ms, UTC) of the last week whose final board was posted: a restart never
    -- posts the same week twice.
    last_posted_week BIGINT,
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),  -- bot is in it
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX class_group_weekly ON class_group (weekly_post, active);

CREATE TABLE class_member (
    chat_id   BIGINT NOT NULL
        REFERENCES class_group (chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    user_id   BIGINT NOT NULL REFERENCES "user" (user_id),
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);
CREATE INDEX class_member_user ON class_member (user_id);
