DROP INDEX attempt_user_time;
CREATE INDEX attempt_user_time ON attempt (user_id, answered_at);
