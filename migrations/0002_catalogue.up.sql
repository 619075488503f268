-- The catalogue is data. Stages follow the dojo path Hatsu -> Ku; Shu-Ha-Ri are the classic
-- three (the old system's levels), the others sit between them.
INSERT INTO stage (stage_id, code, display_name, kanji, meaning) VALUES
    (1, 'hatsu', 'Hatsu', '初', 'first steps'),
    (2, 'shu',   'Shu',   '守', 'follow the form'),
    (3, 'kan',   'Kan',   '慣', 'make it habit'),
    (4, 'ha',    'Ha',    '破', 'break the form'),
    (5, 'toi',   'Toi',   '問', 'question it'),
    (6, 'ri',    'Ri',    '離', 'leave the form'),
    (7, 'ku',    'Ku',    '空', 'emptiness: pure fluency');

INSERT INTO difficulty_level
    (difficulty_level_id, code, display_name, character, pronunciation, description) VALUES
    (101, 'seedling',    'Seedling',    '苗', 'nae',   'Gentle numbers to build confidence.'),
    (102, 'sapling',     'Sapling',     '若木', 'wakagi', 'The stage''s standard numbers.'),
    (103, 'bamboo',      'Bamboo',      '竹', 'take',  'One more digit; negatives from Ha on.'),
    (104, 'cedar',       'Cedar',       '杉', 'sugi',  'One more digit; decimals from Ri on.'),
    (105, 'ancient_oak', 'Ancient Oak', '樫', 'kashi', 'Two more digits, negatives and decimals.');

-- standard: the seed's 1000 reps per stage.
-- class: a school term holds roughly 10-15 short sessions of ~30 answers per topic, so
-- 100..400 reps lets a class see two or three stages in a term without skipping practice.
INSERT INTO difficulty_progression
    (difficulty_progression_id, code, hatsu, shu, kan, ha, toi, ri, accuracy_floor, fluency_ms)
VALUES
    (1, 'standard', 1000, 1000, 1000, 1000, 1000, 1000, 0.9, NULL),
    (2, 'class',     100,  150,  200,  250,  300,  400, 0.9, NULL);

INSERT INTO field (field_id, code, display_name, is_active, sort_order) VALUES
    (1, 'math',    'Math',    1, 1),
    (2, 'science', 'Science', 0, 2);

INSERT INTO subject (subject_id, code, field_id, display_name, sort_order) VALUES
    (1, 'arithmetic', 1, 'Arithmetic', 1),
    (2, 'algebra',    1, 'Algebra',    2),
    (3, 'geometry',   1, 'Geometry',   3);

-- code: the seed's topic codes; slug: the word used in deep links.
INSERT INTO topic
    (topic_id, code, slug, subject_id, difficulty_progression_id, display_name, sort_order)
VALUES
    (1, 'add',                  'addition',              1, 1, 'Addition',              1),
    (2, 'sub',                  'subtraction',           1, 1, 'Subtraction',           2),
    (3, 'mul',                  'multiplication',        1, 1, 'Multiplication',        3),
    (4, 'div',                  'division',              1, 1, 'Division',              4),
    (5, 'mod',                  'modulus',               1, 1, 'Modulus',               5),
    (6, 'exp',                  'exponents',             1, 1, 'Exponents',             6),
    (7, 'root',                 'roots',                 1, 1, 'Roots',                 7),
    (8, 'add_w_negatives',      'negatives-addition',    1, 1, 'Adding negatives',      8),
    (9, 'subtract_w_negatives', 'negatives-subtraction', 1, 1, 'Subtracting negatives', 9);

INSERT INTO topic_difficulty_option (topic_id, difficulty_level_id)
SELECT topic_id, difficulty_level_id FROM topic CROSS JOIN difficulty_level;
