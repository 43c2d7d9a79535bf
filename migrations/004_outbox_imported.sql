-- An outbox entry made by importing a legacy file: the server creates such a row without the
-- rules that need other rows, as it does for its own legacy import (`Mutation::imported`).
ALTER TABLE outbox ADD COLUMN imported INTEGER NOT NULL DEFAULT 0;
