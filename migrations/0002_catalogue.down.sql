DELETE FROM topic_difficulty_option;
DELETE FROM topic;
DELETE FROM subject;
DELETE FROM field;
DELETE FROM difficulty_progression;
DELETE FROM difficulty_level;
DELETE FROM stage;
