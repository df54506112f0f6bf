-- The store's trees in one table: a row per (tree, key), values as the store encodes them.
-- A prefix scan is `key >= prefix AND key < successor(prefix) ORDER BY key` on the primary key.
CREATE TABLE kv (
    tree TEXT NOT NULL,
    key BYTEA NOT NULL,
    value BYTEA NOT NULL,
    PRIMARY KEY (tree, key)
);

-- What each committed data version changed, so that every server process sharing the
-- database can forget what it read before and re-index the records named.
-- `refs` is `kind:code` references, one a line, or `*` for everything (a reseed).
CREATE TABLE changes (
    version BIGINT PRIMARY KEY,
    origin TEXT NOT NULL,
    refs TEXT NOT NULL,
    committed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The data version row always exists: every write transaction locks it first (SELECT ...
-- FOR UPDATE), which serialises writers across processes with plain SQL.
INSERT INTO kv (tree, key, value)
VALUES ('meta', 'data_version'::BYTEA, '\x0000000000000000'::BYTEA);
