-- Identities Ombud keeps are found by a keyed hash and, where the plain value is needed (to send mail, to
-- export a suppression list), sealed with the data keyring (core/secrets/dataKeys.ts), never stored in
-- plain text (issue 13). The plain columns stay for rows written before this migration: the App seals
-- them on open (services/secrets/sealIdentities.ts) and empties the plain column.
ALTER TABLE consent_identities ADD COLUMN value_sealed text;
ALTER TABLE consent_identities ALTER COLUMN value DROP NOT NULL;
ALTER TABLE dsr_submissions ADD COLUMN email_sealed text;
ALTER TABLE dsr_submissions ADD COLUMN name_sealed text;
CREATE INDEX consent_identities_plain ON consent_identities (subject_id) WHERE value IS NOT NULL;
CREATE INDEX dsr_submissions_plain ON dsr_submissions (id) WHERE email IS NOT NULL;
