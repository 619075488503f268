DROP TABLE forget_request;
