-- The keyed audit chain (src/core/audit/chain.ts). From this migration on every entry is an HMAC-SHA-256
-- under a key kept outside the database; `key_id` names that key (rotation). Entries written before have
-- no key id and stay verifiable as the plain SHA-256 chain they were. The column is added without a
-- default, so no row is rewritten (the append-only trigger fires on row updates only).
ALTER TABLE audit_log ADD COLUMN key_id text;

-- Signed checkpoints of the head. The file they are exported to is what verification trusts; this
-- copy is for the console and for convenience only.
CREATE TABLE audit_checkpoints (
  id         bigserial PRIMARY KEY,
  seq        bigint NOT NULL,
  count      bigint NOT NULL,
  hash       text NOT NULL,
  at         timestamptz NOT NULL,
  kid        text NOT NULL,
  line       text NOT NULL,
  made_by    text NOT NULL
);
CREATE INDEX audit_checkpoints_seq ON audit_checkpoints (seq);
