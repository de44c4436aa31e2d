-- The banner's id of one choice (issue #20): a proof sent again (the banner retries when it gets no answer)
-- is stored once. Older banners send none; their proofs are stored as before.
ALTER TABLE cookie_consents ADD COLUMN proof_id text;
CREATE UNIQUE INDEX cookie_consents_proof ON cookie_consents (consent_id, proof_id) WHERE proof_id IS NOT NULL;
