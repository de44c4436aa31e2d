-- Fees for manifestly unfounded or excessive requests (GDPR Art. 12(5)). One fee per request at most;
-- the request waits in state 'awaiting-payment' until an agent records the payment or waives the fee.
CREATE TABLE dsr_fees (
  request_id    uuid PRIMARY KEY REFERENCES dsr_requests (id),
  ground        text NOT NULL,          -- manifestly-unfounded | excessive
  reason        text NOT NULL,          -- told to the customer
  amount_minor  integer NOT NULL CHECK (amount_minor > 0),
  currency      text NOT NULL,          -- ISO 4217
  status        text NOT NULL,          -- requested | paid | waived
  resume_state  text NOT NULL,          -- the state the request returns to
  requested_at  timestamptz NOT NULL,
  requested_by  text NOT NULL,
  settled_at    timestamptz,
  settled_by    text,
  settle_note   text,
  paused_days   integer
);
