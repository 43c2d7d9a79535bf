-- What each push was answered, kept after the records go (`service::answers`).
CREATE TABLE answered_runs (
    device_id TEXT NOT NULL REFERENCES devices (id),
    first_id BIGINT NOT NULL,
    answers BYTEA NOT NULL,
    PRIMARY KEY (device_id, first_id)
);
