-- The order the changes waiting were made in. Mutation ids follow it until a PC put back from an
-- older copy has some renumbered, which may take several pushes: each renumbering numbers what it
-- moves in this order, so a change never overtakes one made before it.
ALTER TABLE outbox ADD COLUMN made INTEGER NOT NULL DEFAULT 0;
UPDATE outbox SET made = mutation_id;
CREATE INDEX outbox_made ON outbox (made);
