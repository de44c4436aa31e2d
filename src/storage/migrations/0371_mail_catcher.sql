-- The demo's local SMTP catcher (ombud start without SMTP_URL): what it received, for the console's
-- "Inbox (demo)". Recipients are kept as a hash and a masked address, never in full.
CREATE TABLE mail_catcher (
  id              uuid PRIMARY KEY,
  received_at     timestamptz NOT NULL,
  rcpt_hashes     jsonb NOT NULL,     -- sha256 of each recipient address (lower case)
  rcpt_masked     text NOT NULL,      -- e.g. a***n@example.org
  subject         text NOT NULL,
  body            text NOT NULL,
  size            integer NOT NULL
);
CREATE INDEX mail_catcher_received ON mail_catcher (received_at DESC);
