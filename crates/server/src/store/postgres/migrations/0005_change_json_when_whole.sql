-- A change's row JSON only when its table does not hold that version (a row's departure from a
-- region, `Tx::log_departure` in store/mod.rs);
-- `migrate` then empties the JSON the tables hold too.
ALTER TABLE change_log ALTER COLUMN row_json DROP NOT NULL;
