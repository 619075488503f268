-- PostgreSQL twin of ../0009_forget_request.up.sql: "user" quoted, ids and times BIGINT.
-- A learner's /forgetme awaiting its confirmation button. The button carries the nonce; the
-- row is removed with everything else when they confirm, so a second tap finds nothing. An
-- unconfirmed row expires (expires_at, ms UTC) and a new /forgetme replaces it.
CREATE TABLE forget_request (
    user_id    BIGINT PRIMARY KEY REFERENCES "user" (user_id),
    nonce      TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
