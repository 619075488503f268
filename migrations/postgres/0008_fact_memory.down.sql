-- PostgreSQL twin of ../0008_fact_memory.down.sql: "user" quoted.
UPDATE difficulty_level SET description = 'Gentle numbers to build confidence.'
    WHERE difficulty_level_id = 101;
UPDATE difficulty_level SET description = 'One more digit; negatives from Ha on.'
    WHERE difficulty_level_id = 103;
UPDATE difficulty_level SET description = 'One more digit; decimals from Ri on.'
    WHERE difficulty_level_id = 104;
UPDATE difficulty_level SET description = 'Two more digits, negatives and decimals.'
    WHERE difficulty_level_id = 105;

ALTER TABLE session DROP COLUMN test_out;
ALTER TABLE "user" DROP COLUMN pace_ms;
DROP TABLE fact_memory;
