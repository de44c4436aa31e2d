-- Analytics without identities (issue 14 item 5; P13, P23, P38, P42): the export series (each has its own
-- pseudonym key, derived from a key of the data keyring named here and the series id), every export with
-- what it guaranteed, and the privacy budget each purpose of each company has spent.
CREATE TABLE analytics_series (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      text NOT NULL,
  purpose_id  text NOT NULL,
  export_id   text NOT NULL,
  key_id      text NOT NULL,
  started_at  timestamptz NOT NULL,
  ended_at    timestamptz
);
CREATE UNIQUE INDEX analytics_series_current ON analytics_series (org_id, purpose_id, export_id)
  WHERE ended_at IS NULL;

CREATE TABLE analytics_exports (
  id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id                   text NOT NULL,
  purpose_id               text NOT NULL,
  export_id                text NOT NULL,
  kind                     text NOT NULL CHECK (kind IN ('aggregate', 'rows')),
  format                   text NOT NULL CHECK (format IN ('csv', 'json')),
  series_id                uuid REFERENCES analytics_series (id),
  k                        integer NOT NULL,
  epsilon                  double precision,
  records                  integer NOT NULL,
  suppressed_primary       integer NOT NULL DEFAULT 0,
  suppressed_complementary integer NOT NULL DEFAULT 0,
  guarantee                jsonb NOT NULL,
  created_by               text NOT NULL,
  created_at               timestamptz NOT NULL,
  body                     text NOT NULL
);
CREATE INDEX analytics_exports_org ON analytics_exports (org_id, purpose_id, created_at DESC);

CREATE TABLE analytics_budget (
  org_id      text NOT NULL,
  purpose_id  text NOT NULL,
  spent       double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, purpose_id)
);
