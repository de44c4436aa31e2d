-- Personal data breaches (GDPR Art. 33, 34): the register of breaches with the 72-hour clock from
-- awareness, the scope computed from the data map (counts only), the risk decided by a person, the drafts
-- of the notifications to the authorities and the people to tell (their address kept only until sent).
CREATE TABLE breaches (
  id               uuid PRIMARY KEY,
  reference        text NOT NULL UNIQUE,
  title            text NOT NULL,
  description      text NOT NULL,
  detected_at      timestamptz NOT NULL,
  aware_at         timestamptz NOT NULL,
  window_from      timestamptz,
  window_to        timestamptz,
  affected         jsonb NOT NULL,
  containment      text NOT NULL DEFAULT '',
  consequences     text NOT NULL DEFAULT '',
  measures         text NOT NULL DEFAULT '',
  people           jsonb NOT NULL DEFAULT '[]',
  delay_reason     text,
  -- The companies it concerns: given when recorded, then the controllers the scope found.
  org_ids          text[] NOT NULL DEFAULT '{}',
  scope            jsonb,
  risk             jsonb,
  -- Art. 33(5): a breach not notified is documented with the reasoning.
  decision         text,              -- notify | not-required
  decision_reason  text,
  notified_at      timestamptz,
  created_by       text NOT NULL,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX breaches_aware ON breaches (aware_at);

-- The breach's timeline: every change, in words without personal data.
CREATE TABLE breach_events (
  id         bigserial PRIMARY KEY,
  breach_id  uuid NOT NULL REFERENCES breaches (id),
  at         timestamptz NOT NULL,
  kind       text NOT NULL,
  summary    text NOT NULL,
  actor      text NOT NULL
);
CREATE INDEX breach_events_breach ON breach_events (breach_id, at);

-- Drafts of the notification to each controller's authority, phase by phase (Art. 33(4)).
CREATE TABLE breach_notifications (
  id            uuid PRIMARY KEY,
  breach_id     uuid NOT NULL REFERENCES breaches (id),
  org_id        text NOT NULL,
  authority_id  text NOT NULL,
  lang          text NOT NULL,
  phase         integer NOT NULL,
  content       jsonb NOT NULL,
  pdf           bytea,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL,
  UNIQUE (breach_id, org_id, phase)
);

-- The people to tell (Art. 34): built by a job from the live databases; the address is kept only until
-- the mail has gone (then NULL), the row stays as the record that this person was told.
CREATE TABLE breach_recipients (
  breach_id   uuid NOT NULL REFERENCES breaches (id),
  seq         integer NOT NULL,
  org_id      text NOT NULL,
  lang        text NOT NULL,
  email       text,
  email_hash  text NOT NULL,
  outbox_id   uuid,
  status      text NOT NULL DEFAULT 'listed',   -- listed | queued | sent | failed
  sent_at     timestamptz,
  PRIMARY KEY (breach_id, seq)
);
CREATE UNIQUE INDEX breach_recipients_once ON breach_recipients (breach_id, org_id, email_hash);
CREATE INDEX breach_recipients_status ON breach_recipients (breach_id, status);
