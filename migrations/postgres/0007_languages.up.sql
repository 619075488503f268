-- The language DojoBot speaks to a learner and to a class group ('en', 'es', 'pt_BR', 'ru',
-- 'de'). NULL: not decided yet; a learner's is taken from Telegram's language_code on the
-- next contact, a class's from the admin who added the bot.
-- PostgreSQL twin of ../0007_languages.up.sql: "user" quoted (a reserved word here).
ALTER TABLE "user" ADD COLUMN language TEXT;
ALTER TABLE class_group ADD COLUMN language TEXT;
