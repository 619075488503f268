DROP INDEX attempt_user_response;
DROP TRIGGER attempt_total_update;
DROP TRIGGER attempt_total_delete;
DROP TRIGGER attempt_total_insert;
DROP TABLE user_topic_total;
