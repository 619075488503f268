DROP INDEX attempt_time_brin;
