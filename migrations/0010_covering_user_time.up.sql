-- Each learner's answers in time order now carry what boards and the stage window read
-- (topic, stage, right or wrong, response time), so a class's week board and the answer
-- path's last-100 window read this index alone, never the attempt table. Cold, the worst
-- class's week read ~14,000 scattered table rows (62-81 ms on the 10M-answer file,
-- BENCHMARKS.md section 2); its members' answers are a few contiguous runs of this index.
-- Same name, same leading columns: every query and INDEXED BY hint that used it still does.
-- Instead of a per-learner daily rollup: it would serve the counts but not the true median
-- (that needs each response time), would be a second copy of the answers to keep in step
-- and to export and erase, and would not follow a class's own timezone's midnight.
DROP INDEX attempt_user_time;
CREATE INDEX attempt_user_time
    ON attempt (user_id, answered_at, topic_id, stage_id, correct, response_ms);
