-- Learners who erased their data (/forgetme), kept only as keyed hashes: HMAC-SHA256, with
-- forgotten_key's secret, of "telegram:<user id>" and of "legacy:<old app user id>" for each
-- old-app account that was theirs. `dojobot import-legacy` skips the rows of anyone listed,
-- so importing the same file again does not bring an erased learner back. Nothing else
-- about them is kept; the digests name no one without the key.
CREATE TABLE forgotten (
    digest       TEXT PRIMARY KEY,
    forgotten_at INTEGER NOT NULL
);
-- The secret of those hashes: one random row, made by the first erasure.
CREATE TABLE forgotten_key (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    secret TEXT NOT NULL
);
