-- All-time class boards without reading every answer a class ever gave. Counts come from
-- user_progress (total_reps, correct_reps: one per answer, in the answer's transaction);
-- the true median of a learner's response times is a walk to the middle of this index,
-- with no sort (the topic rides along so a topic filter never reads the table).
CREATE INDEX attempt_user_response ON attempt (user_id, response_ms, topic_id);
