DROP TABLE forgotten_key;
DROP TABLE forgotten;
