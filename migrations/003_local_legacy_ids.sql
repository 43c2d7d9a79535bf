-- Legacy rows imported before this PC was enrolled get ids in a namespace of this PC's own; the
-- legacy id of each is kept here so that enrolling can give them the ids the region's secret
-- namespace gives the same rows everywhere else (and then forgets them).
CREATE TABLE local_legacy_ids (
    table_name TEXT NOT NULL,
    region TEXT NOT NULL,
    legacy_id INTEGER NOT NULL,
    row_id TEXT NOT NULL,
    PRIMARY KEY (table_name, region, legacy_id)
);
