-- All-time class boards without reading every answer a class ever gave.
-- user_topic_total: each learner's answers and right answers per topic, kept exact by the
-- triggers below (any statement that writes attempt, not only the answer path). Per answer
-- it costs one UPSERT on a small WITHOUT ROWID table, in the same transaction.
CREATE TABLE user_topic_total (
    user_id  INTEGER NOT NULL,
    topic_id INTEGER NOT NULL,
    reps     INTEGER NOT NULL CHECK (reps > 0),
    correct  INTEGER NOT NULL CHECK (correct BETWEEN 0 AND reps),
    PRIMARY KEY (user_id, topic_id)
) WITHOUT ROWID;

INSERT INTO user_topic_total (user_id, topic_id, reps, correct)
SELECT user_id, topic_id, count(*), sum(correct) FROM attempt GROUP BY user_id, topic_id;

CREATE TRIGGER attempt_total_insert AFTER INSERT ON attempt BEGIN
    INSERT INTO user_topic_total (user_id, topic_id, reps, correct)
    VALUES (NEW.user_id, NEW.topic_id, 1, NEW.correct)
    ON CONFLICT (user_id, topic_id) DO UPDATE
        SET reps = reps + 1, correct = correct + excluded.correct;
END;

CREATE TRIGGER attempt_total_delete AFTER DELETE ON attempt BEGIN
    DELETE FROM user_topic_total
    WHERE user_id = OLD.user_id AND topic_id = OLD.topic_id AND reps = 1;
    UPDATE user_topic_total SET reps = reps - 1, correct = correct - OLD.correct
    WHERE user_id = OLD.user_id AND topic_id = OLD.topic_id;
END;

CREATE TRIGGER attempt_total_update AFTER UPDATE OF user_id, topic_id, correct ON attempt BEGIN
    DELETE FROM user_topic_total
    WHERE user_id = OLD.user_id AND topic_id = OLD.topic_id AND reps = 1;
    UPDATE user_topic_total SET reps = reps - 1, correct = correct - OLD.correct
    WHERE user_id = OLD.user_id AND topic_id = OLD.topic_id;
    INSERT INTO user_topic_total (user_id, topic_id, reps, correct)
    VALUES (NEW.user_id, NEW.topic_id, 1, NEW.correct)
    ON CONFLICT (user_id, topic_id) DO UPDATE
        SET reps = reps + 1, correct = correct + excluded.correct;
END;

-- A learner's response times in order (topic alongside, so the walk never reads the table):
-- the true median is a walk to the middle of the learner's entries, with no sort.
CREATE INDEX attempt_user_response ON attempt (user_id, response_ms, topic_id);
