-- Answers given in the Mini App are timed on the learner's device (dojobot.web.timing).
-- timed_by: NULL for the chat (the bot's clock, from sending the problem to the answer's
-- arrival, as before); 'device' when the device's figure was kept; 'server' when it was
-- implausible and the server's interval was stored instead (flagged for the KPIs).
-- device_ms: what the device reported, kept as sent (NULL in the chat).
ALTER TABLE attempt ADD COLUMN timed_by TEXT;
ALTER TABLE attempt ADD COLUMN device_ms INTEGER;
