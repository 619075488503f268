DROP INDEX class_member_user;
DROP TABLE class_member;
DROP INDEX class_group_weekly;
DROP TABLE class_group;
