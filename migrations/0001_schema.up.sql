-- Core schema: the seed's catalogue and progress tables, plus Telegram users and attempts.
-- Timestamps are integer milliseconds since the Unix epoch (UTC): compact and exact.

CREATE TABLE stage (
    stage_id     INTEGER PRIMARY KEY CHECK (stage_id BETWEEN 1 AND 7),
    code         TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    kanji        TEXT NOT NULL,
    meaning      TEXT NOT NULL
);

CREATE TABLE difficulty_level (
    difficulty_level_id INTEGER PRIMARY KEY CHECK (difficulty_level_id BETWEEN 101 AND 105),
    code                TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    character           TEXT NOT NULL,
    pronunciation       TEXT NOT NULL,
    description         TEXT NOT NULL
);

-- Reps needed to leave each of the first six stages; Ku (7) is final.
CREATE TABLE difficulty_progression (
    difficulty_progression_id INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    hatsu          INTEGER NOT NULL CHECK (hatsu > 0),
    shu            INTEGER NOT NULL CHECK (shu > 0),
    kan            INTEGER NOT NULL CHECK (kan > 0),
    ha             INTEGER NOT NULL CHECK (ha > 0),
    toi            INTEGER NOT NULL CHECK (toi > 0),
    ri             INTEGER NOT NULL CHECK (ri > 0),
    accuracy_floor REAL NOT NULL DEFAULT 0.9 CHECK (accuracy_floor BETWEEN 0 AND 1),
    fluency_ms     INTEGER CHECK (fluency_ms IS NULL OR fluency_ms > 0)
);

CREATE TABLE field (
    field_id     INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    is_active    INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    sort_order   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE subject (
    subject_id   INTEGER PRIMARY KEY,
    code         TEXT NOT NULL,
    field_id     INTEGER NOT NULL REFERENCES field (field_id),
    display_name TEXT NOT NULL,
    sort_order   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (field_id, code)
);

CREATE TABLE topic (
    topic_id                  INTEGER PRIMARY KEY,
    code                      TEXT NOT NULL UNIQUE,
    slug                      TEXT NOT NULL,
    subject_id                INTEGER NOT NULL REFERENCES subject (subject_id),
    difficulty_progression_id INTEGER NOT NULL
        REFERENCES difficulty_progression (difficulty_progression_id),
    display_name              TEXT NOT NULL,
    sort_order                INTEGER NOT NULL DEFAULT 0,
    UNIQUE (subject_id, slug)
);

CREATE TABLE topic_difficulty_option (
    topic_difficulty_option_id INTEGER PRIMARY KEY,
    topic_id                   INTEGER NOT NULL REFERENCES topic (topic_id),
    difficulty_level_id        INTEGER NOT NULL
        REFERENCES difficulty_level (difficulty_level_id),
    UNIQUE (topic_id, difficulty_level_id)
);

-- A Telegram user; user_id is Telegram's id.
CREATE TABLE user (
    user_id       INTEGER PRIMARY KEY,
    first_name    TEXT NOT NULL,
    username      TEXT,
    language_code TEXT,
    nickname      TEXT,
    timezone      TEXT,
    blocked_at    INTEGER,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
);

-- One row per learner and topic: where they stand and what they did in that stage.
CREATE TABLE user_progress (
    user_id          INTEGER NOT NULL REFERENCES user (user_id),
    topic_id         INTEGER NOT NULL REFERENCES topic (topic_id),
    stage_id         INTEGER NOT NULL DEFAULT 1 REFERENCES stage (stage_id),
    reps_in_stage    INTEGER NOT NULL DEFAULT 0 CHECK (reps_in_stage >= 0),
    total_reps       INTEGER NOT NULL DEFAULT 0 CHECK (total_reps >= 0),
    correct_reps     INTEGER NOT NULL DEFAULT 0 CHECK (correct_reps BETWEEN 0 AND total_reps),
    stage_started_at INTEGER NOT NULL,
    last_practised_at INTEGER,
    PRIMARY KEY (user_id, topic_id)
) WITHOUT ROWID;

-- A set of problems. end_time IS NULL while it runs; state holds the engine's set state
-- (JSON) and problem_sent_at when the current problem was sent, so a restart loses nothing.
CREATE TABLE session (
    session_id           INTEGER PRIMARY KEY,
    user_id              INTEGER NOT NULL REFERENCES user (user_id),
    topic_id             INTEGER NOT NULL REFERENCES topic (topic_id),
    stage_id             INTEGER NOT NULL REFERENCES stage (stage_id),
    difficulty_level_id  INTEGER REFERENCES difficulty_level (difficulty_level_id),
    start_time           INTEGER NOT NULL,
    end_time             INTEGER CHECK (end_time IS NULL OR end_time >= start_time),
    total_reps           INTEGER NOT NULL DEFAULT 0 CHECK (total_reps >= 0),
    correct_reps         INTEGER NOT NULL DEFAULT 0 CHECK (correct_reps BETWEEN 0 AND total_reps),
    total_response_ms    INTEGER NOT NULL DEFAULT 0 CHECK (total_response_ms >= 0),
    avg_response_time    REAL CHECK (avg_response_time IS NULL OR avg_response_time >= 0),
    median_response_time REAL CHECK (median_response_time IS NULL OR median_response_time >= 0),
    accuracy             REAL CHECK (accuracy IS NULL OR accuracy BETWEEN 0 AND 1),
    is_estimate          INTEGER NOT NULL DEFAULT 0 CHECK (is_estimate IN (0, 1)),
    state                TEXT,
    problem_sent_at      INTEGER,
    last_message_id      INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX session_one_open_per_user ON session (user_id) WHERE end_time IS NULL;
CREATE INDEX session_user_topic ON session (user_id, topic_id, start_time);
CREATE INDEX session_start ON session (start_time);

-- One row per answer.
CREATE TABLE attempt (
    attempt_id  INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES session (session_id),
    user_id     INTEGER NOT NULL,
    topic_id    INTEGER NOT NULL,
    stage_id    INTEGER NOT NULL CHECK (stage_id BETWEEN 1 AND 7),
    question    TEXT NOT NULL,
    expected    TEXT NOT NULL,
    given       TEXT NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    response_ms INTEGER NOT NULL CHECK (response_ms >= 0),
    answered_at INTEGER NOT NULL
);
CREATE INDEX attempt_user_time ON attempt (user_id, answered_at);
CREATE INDEX attempt_topic_time ON attempt (topic_id, answered_at);
