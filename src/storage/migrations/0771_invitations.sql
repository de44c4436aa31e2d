-- People: an invited person is pending until the invitation's link has set a password; the invitation is
-- mailed in the language chosen on the form (en, sv, nb).
ALTER TABLE users ADD COLUMN invite_pending boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN lang text NOT NULL DEFAULT 'en';
ALTER TABLE users ADD COLUMN invite_expires_at timestamptz;
