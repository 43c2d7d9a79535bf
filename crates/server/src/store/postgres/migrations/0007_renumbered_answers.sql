-- The ids changes were first sent under, before their device renumbered them (`service::answers`).
CREATE TABLE renumbered_answers (
    device_id TEXT NOT NULL REFERENCES devices (id),
    first_id BIGINT NOT NULL,
    digest BYTEA NOT NULL,
    new_id BIGINT NOT NULL,
    PRIMARY KEY (device_id, first_id, digest)
);
