-- The id a waiting change was first sent under, once renumbering gave it another (`renumber_outbox`):
-- sent with it, so that the server knows it again when a copy from before comes back.
ALTER TABLE outbox ADD COLUMN renumbered_from INTEGER;
