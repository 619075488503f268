-- PostgreSQL twin of ../0008_fact_memory.up.sql: "user" quoted, Telegram ids and times in
-- ms BIGINT, no WITHOUT ROWID (a PostgreSQL table is always organised this way).
CREATE TABLE fact_memory (
    user_id      BIGINT NOT NULL REFERENCES "user" (user_id),
    topic_id     INTEGER NOT NULL REFERENCES topic (topic_id),
    fact         TEXT NOT NULL,
    answers      INTEGER NOT NULL CHECK (answers > 0),
    correct      INTEGER NOT NULL CHECK (correct BETWEEN 0 AND answers),
    last_ms      BIGINT NOT NULL CHECK (last_ms >= 0),
    last_right   INTEGER NOT NULL CHECK (last_right IN (0, 1)),
    prev_ms      BIGINT CHECK (prev_ms IS NULL OR prev_ms >= 0),
    prev_right   INTEGER NOT NULL CHECK (prev_right IN (0, 1)),
    box          INTEGER NOT NULL CHECK (box >= 0),
    last_seen_at BIGINT NOT NULL,
    due_at       BIGINT NOT NULL,
    PRIMARY KEY (user_id, topic_id, fact)
);

ALTER TABLE "user" ADD COLUMN pace_ms BIGINT NOT NULL DEFAULT 3000;

-- NULL for an ordinary set; 'taken' for a test-out (failed or unfinished), 'passed'.
ALTER TABLE session ADD COLUMN test_out TEXT;

UPDATE difficulty_level SET description = 'Gentle numbers: facts up to 5 at Hatsu to Kan.'
    WHERE difficulty_level_id = 101;
UPDATE difficulty_level SET description = 'One more digit; negatives in + − × ÷ from Ha on.'
    WHERE difficulty_level_id = 103;
UPDATE difficulty_level
    SET description = 'One more digit; negatives from Ha; decimals in × ÷ √ from Ri, + − at Ku.'
    WHERE difficulty_level_id = 104;
UPDATE difficulty_level
    SET description = 'Two more digits; negatives and decimals as in Cedar.'
    WHERE difficulty_level_id = 105;
