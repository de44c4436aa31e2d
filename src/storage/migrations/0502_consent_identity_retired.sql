-- A changed identity (a rectified e-mail address) is retired, not removed: it still finds its subject, so
-- a contact check by the old address answers as by the new one, and it stays on the suppression lists;
-- mail goes to the identities that are not retired.
ALTER TABLE consent_identities ADD COLUMN retired_at timestamptz;
