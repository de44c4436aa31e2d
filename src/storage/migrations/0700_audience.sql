-- Audience exports for ad networks (issue #14, P44; src/services/audience). Each export of a segment is
-- recorded with its counts, the rule version, the purpose and who ran it; its member set (the hashes sent,
-- per field, as sorted 32-byte SHA-256 digests) is what the next export's delta is taken against. The files
-- hold only hashes: no plain identifier is stored or sent.
CREATE TABLE audience_exports (
  id text PRIMARY KEY,
  org_id text NOT NULL,
  segment_id text NOT NULL,
  purpose_id text NOT NULL,
  legal_basis text NOT NULL,
  recipient text NOT NULL,
  rule_id text NOT NULL,
  -- scheduled: the register's schedule; manual: API, CLI or console; removal: at once after an objection.
  kind text NOT NULL CHECK (kind IN ('scheduled', 'manual', 'removal')),
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  candidates integer NOT NULL CHECK (candidates >= 0),
  members integer NOT NULL CHECK (members >= 0),
  added integer NOT NULL CHECK (added >= 0),
  removed integer NOT NULL CHECK (removed >= 0),
  skipped integer NOT NULL CHECK (skipped >= 0),
  -- Candidates left out, per reason (objected-direct-marketing, restricted, no-consent, …): counts only.
  excluded jsonb NOT NULL
);
CREATE INDEX audience_exports_segment ON audience_exports (org_id, segment_id, created_at DESC);

CREATE TABLE audience_member_sets (
  export_id text NOT NULL REFERENCES audience_exports (id) ON DELETE CASCADE,
  field text NOT NULL CHECK (field IN ('email', 'phone')),
  hashes bytea NOT NULL,
  PRIMARY KEY (export_id, field)
);

CREATE TABLE audience_files (
  export_id text NOT NULL REFERENCES audience_exports (id) ON DELETE CASCADE,
  name text NOT NULL,
  -- members: the whole segment in the network's upload format; add / remove: the delta.
  role text NOT NULL CHECK (role IN ('members', 'add', 'remove')),
  media_type text NOT NULL,
  rows integer NOT NULL CHECK (rows >= 0),
  content bytea NOT NULL,
  PRIMARY KEY (export_id, name)
);
