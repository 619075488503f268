DROP INDEX class_focus_set_by;
DROP TABLE class_focus;
