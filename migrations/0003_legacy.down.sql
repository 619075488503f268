-- Imported sessions stay in `session` (they are flagged is_estimate = 1); the bookkeeping
-- that could remove them goes, so roll imports back (import-legacy --rollback) first.
DROP TABLE legacy_claim_token;
DROP TABLE legacy_progress_change;
DROP TABLE legacy_session;
DROP TABLE legacy_account;
DROP TABLE legacy_import;
