-- PostgreSQL twin of ../0015_fact_card.up.sql: "user" quoted, ids and ms BIGINT, REAL as
-- DOUBLE PRECISION, no WITHOUT ROWID.
CREATE TABLE fact_card (
    user_id        BIGINT NOT NULL REFERENCES "user" (user_id),
    topic_id       INTEGER NOT NULL REFERENCES topic (topic_id),
    fact           TEXT NOT NULL,
    stability      DOUBLE PRECISION NOT NULL CHECK (stability > 0),
    difficulty     DOUBLE PRECISION NOT NULL CHECK (difficulty BETWEEN 1 AND 10),
    state          INTEGER NOT NULL CHECK (state IN (1, 2, 3)),
    step           INTEGER CHECK (step IS NULL OR step >= 0),
    last_review_at BIGINT NOT NULL,
    due_at         BIGINT NOT NULL,
    reviews        INTEGER NOT NULL CHECK (reviews > 0),
    last_rating    INTEGER NOT NULL CHECK (last_rating BETWEEN 1 AND 4),
    last_ms        BIGINT NOT NULL CHECK (last_ms >= 0),
    PRIMARY KEY (user_id, topic_id, fact)
);
