ALTER TABLE class_group DROP COLUMN language;
ALTER TABLE "user" DROP COLUMN language;
