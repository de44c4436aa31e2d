-- Legal holds (issue 13, notice promises P14 and P46): data kept past its rules only because an authority
-- decided it, a dispute or legal claim needs it, or a named legal rule of the register requires it. A hold
-- belongs to its company (the controller that placed it). Its scope is a data subject across every system
-- (named only by keyed hashes of the e-mail address or customer number, never the value itself), one
-- system, or one collection of a dataset. Placing it writes a retention marker (ombud_restrictions, reason
-- 'retention', rule 'legal-hold', no day, request_id 'hold:<id>') on every row it covers in the group's
-- databases; legal_hold_rows remembers which rows (their keys) and the marker each row had before, so
-- lifting puts that marker back (an Art. 18 restriction, a bookkeeping day) or removes the hold's own.
CREATE TABLE legal_holds (
  id text PRIMARY KEY,
  org_id text NOT NULL,
  reason_kind text NOT NULL CHECK (reason_kind IN ('authority-decision', 'dispute', 'legal-rule')),
  rule_id text,
  reason text NOT NULL,
  scope_kind text NOT NULL CHECK (scope_kind IN ('subject', 'system', 'collection')),
  email_hash text,
  customer_number_hash text,
  system_id text,
  dataset text,
  collection text,
  review_on date NOT NULL,
  rows_held integer NOT NULL DEFAULT 0,
  placed_by text NOT NULL,
  placed_at timestamptz NOT NULL,
  lifted_by text,
  lifted_at timestamptz,
  lift_reason text,
  CHECK (reason_kind <> 'legal-rule' OR rule_id IS NOT NULL),
  CHECK ((lifted_at IS NULL) = (lifted_by IS NULL)),
  CHECK (scope_kind <> 'subject' OR email_hash IS NOT NULL OR customer_number_hash IS NOT NULL),
  CHECK (scope_kind <> 'system' OR system_id IS NOT NULL),
  CHECK (scope_kind <> 'collection' OR (dataset IS NOT NULL AND collection IS NOT NULL))
);
CREATE INDEX legal_holds_org ON legal_holds (org_id, placed_at DESC);
CREATE INDEX legal_holds_review ON legal_holds (review_on) WHERE lifted_at IS NULL;
CREATE INDEX legal_holds_email ON legal_holds (email_hash) WHERE email_hash IS NOT NULL;
CREATE INDEX legal_holds_customer_number ON legal_holds (customer_number_hash) WHERE customer_number_hash IS NOT NULL;

CREATE TABLE legal_hold_rows (
  hold_id text NOT NULL REFERENCES legal_holds (id) ON DELETE CASCADE,
  dataset text NOT NULL,
  collection text NOT NULL,
  row_key text NOT NULL,
  -- The marker the row carried before this hold's (none: all null).
  prior_request_id text,
  prior_reason text,
  prior_rule_id text,
  prior_erase_on date,
  PRIMARY KEY (hold_id, dataset, collection, row_key)
);
CREATE INDEX legal_hold_rows_row ON legal_hold_rows (dataset, collection, row_key);
