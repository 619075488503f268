-- Memory that lasts (issue 22): an FSRS-6 card per learner and fact (engine/cards.py),
-- updated in the answer's own transaction beside fact_memory (Leitner, the other arm of
-- the scheduler flag). Stability in days, difficulty 1..10, moments in epoch ms;
-- last_rating 1..4 (Again, Hard, Good, Easy) and last_ms say how the last answer went.
-- `dojobot build-cards` fills it from the answers stored before it existed.
CREATE TABLE fact_card (
    user_id        INTEGER NOT NULL REFERENCES user (user_id),
    topic_id       INTEGER NOT NULL REFERENCES topic (topic_id),
    fact           TEXT NOT NULL,
    stability      REAL NOT NULL CHECK (stability > 0),
    difficulty     REAL NOT NULL CHECK (difficulty BETWEEN 1 AND 10),
    state          INTEGER NOT NULL CHECK (state IN (1, 2, 3)),
    step           INTEGER CHECK (step IS NULL OR step >= 0),
    last_review_at INTEGER NOT NULL,
    due_at         INTEGER NOT NULL,
    reviews        INTEGER NOT NULL CHECK (reviews > 0),
    last_rating    INTEGER NOT NULL CHECK (last_rating BETWEEN 1 AND 4),
    last_ms        INTEGER NOT NULL CHECK (last_ms >= 0),
    PRIMARY KEY (user_id, topic_id, fact)
) WITHOUT ROWID;
