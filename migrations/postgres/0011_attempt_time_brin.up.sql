-- `dojobot stats --since 24h` on PostgreSQL: the answers since a time. The planner does not
-- walk attempt_topic_time once per topic as SQLite does; it read all of attempt (a parallel
-- sequential scan: 0.8 s per statement warm, two statements, on 10 million answers), missing
-- the 2 s target (BENCHMARKS.md, "Data at scale on PostgreSQL"). Answers are appended in
-- time order, so answered_at follows the table's physical order, and a BRIN index (the
-- lowest and highest answered_at of every 128 pages: 48 kB for 10 million answers, next to
-- nothing per answer) points at the last day's pages alone.
-- PostgreSQL only: SQLite has no BRIN, and there the pinned per-topic ranges suffice.
CREATE INDEX attempt_time_brin ON attempt USING brin (answered_at);
