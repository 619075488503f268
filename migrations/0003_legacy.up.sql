-- Legacy import (the old 3-level app's practice_sessions) with bookkeeping for idempotence,
-- --rollback and claim links. Legacy learners live in legacy_account, never in `user`:
-- `user` holds Telegram users only, so a legacy id can never collide with a Telegram id.

-- One row per import that added something; rollback removes exactly what it lists.
CREATE TABLE legacy_import (
    batch_id       INTEGER PRIMARY KEY,
    source         TEXT NOT NULL,
    source_sha256  TEXT NOT NULL,
    time_unit      TEXT NOT NULL CHECK (time_unit IN ('s', 'ms')),
    imported_at    INTEGER NOT NULL,
    rows_read      INTEGER NOT NULL,
    rows_imported  INTEGER NOT NULL,
    rolled_back_at INTEGER
);

-- A learner of the old app. user_id: the Telegram user whose history this is (set by
-- --users or by a claim link); pending_user_id: mapped by --users to a Telegram user the
-- bot has not met yet, merged when that user first writes.
CREATE TABLE legacy_account (
    legacy_account_id INTEGER PRIMARY KEY,
    legacy_user_id    TEXT NOT NULL UNIQUE,
    batch_id          INTEGER NOT NULL REFERENCES legacy_import (batch_id),
    user_id           INTEGER REFERENCES user (user_id),
    pending_user_id   INTEGER CHECK (pending_user_id IS NULL OR pending_user_id > 0),
    linked_at         INTEGER
);
CREATE INDEX legacy_account_pending ON legacy_account (pending_user_id)
    WHERE pending_user_id IS NOT NULL;

-- One row per imported legacy row, keyed by its id (what makes re-imports add nothing).
-- session_id is set once the row is part of a learner's history in `session`.
CREATE TABLE legacy_session (
    legacy_row_id     TEXT PRIMARY KEY,
    batch_id          INTEGER NOT NULL REFERENCES legacy_import (batch_id),
    legacy_account_id INTEGER NOT NULL REFERENCES legacy_account (legacy_account_id),
    topic_id          INTEGER NOT NULL REFERENCES topic (topic_id),
    stage_id          INTEGER NOT NULL REFERENCES stage (stage_id),
    start_time        INTEGER NOT NULL,
    end_time          INTEGER NOT NULL CHECK (end_time >= start_time),
    total_reps        INTEGER NOT NULL CHECK (total_reps >= 0),
    avg_response_ms   REAL CHECK (avg_response_ms IS NULL OR avg_response_ms >= 0),
    session_id        INTEGER UNIQUE REFERENCES session (session_id)
) WITHOUT ROWID;
CREATE INDEX legacy_session_batch ON legacy_session (batch_id);
CREATE INDEX legacy_session_account ON legacy_session (legacy_account_id);

-- A user_progress row an import (or a claim) raised, with what it held before.
-- old_stage_id IS NULL: the row did not exist.
CREATE TABLE legacy_progress_change (
    change_id            INTEGER PRIMARY KEY,
    batch_id             INTEGER NOT NULL REFERENCES legacy_import (batch_id),
    user_id              INTEGER NOT NULL,
    topic_id             INTEGER NOT NULL,
    old_stage_id         INTEGER,
    old_reps_in_stage    INTEGER,
    old_stage_started_at INTEGER,
    new_stage_id         INTEGER NOT NULL,
    changed_at           INTEGER NOT NULL
);
CREATE INDEX legacy_progress_change_batch ON legacy_progress_change (batch_id);

-- One-time claim links: only a SHA-256 of the token is stored.
CREATE TABLE legacy_claim_token (
    token_hash        TEXT PRIMARY KEY,
    legacy_account_id INTEGER NOT NULL REFERENCES legacy_account (legacy_account_id),
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    used_at           INTEGER,
    used_by           INTEGER
) WITHOUT ROWID;
