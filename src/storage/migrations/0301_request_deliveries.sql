-- Result files of requests (a register extract, a portability export): encrypted at rest with AES-256-GCM
-- under a key derived from OMBUD_SECRET, fetched through a signed, expiring link, deleted after a period.
CREATE TABLE dsr_deliveries (
  id            uuid PRIMARY KEY,
  request_id    uuid NOT NULL REFERENCES dsr_requests (id),
  filename      text NOT NULL,
  content_type  text NOT NULL,
  size_bytes    integer NOT NULL,
  iv            text NOT NULL,
  tag           text NOT NULL,
  ciphertext    text NOT NULL,       -- base64
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  downloads     integer NOT NULL DEFAULT 0,
  deleted_at    timestamptz
);
CREATE INDEX dsr_deliveries_request ON dsr_deliveries (request_id);
CREATE INDEX dsr_deliveries_expiry ON dsr_deliveries (expires_at) WHERE deleted_at IS NULL;
