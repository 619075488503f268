DROP INDEX session_user_finished;
DROP INDEX reminder_due;
DROP TABLE reminder;
