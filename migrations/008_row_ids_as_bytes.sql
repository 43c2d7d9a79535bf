-- Row ids kept as the synced tables keep them since this version (16 bytes, src/db/ddl.rs), so
-- that the bookkeeping tables' ids compare equal to the rows'. The columns keep their declared
-- type: a TEXT column stores a blob as it is.
UPDATE outbox SET row_id = id_bytes(row_id) WHERE typeof(row_id) = 'text';
UPDATE refused_changes SET row_id = id_bytes(row_id) WHERE typeof(row_id) = 'text';
UPDATE rejoin_queue SET row_id = id_bytes(row_id) WHERE typeof(row_id) = 'text';
UPDATE local_legacy_ids SET row_id = id_bytes(row_id) WHERE typeof(row_id) = 'text';
UPDATE conflicts SET row_id = id_bytes(row_id) WHERE typeof(row_id) = 'text';
