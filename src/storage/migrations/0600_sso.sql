-- Single sign-on (OIDC, docs/sso.md): people linked to a provider's subject, sign-ins in flight, and
-- which roles and sessions came from a provider.

-- A person's account at a provider: linked by the provider's id and its `sub`, never by e-mail address.
CREATE TABLE sso_identities (
  provider        text NOT NULL,
  subject         text NOT NULL,
  user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at      timestamptz NOT NULL,
  last_sign_in_at timestamptz NOT NULL,
  PRIMARY KEY (provider, subject)
);
CREATE INDEX sso_identities_user ON sso_identities (user_id);

-- A sign-in sent to a provider and not yet back: single use (deleted when the callback takes it),
-- bound to the browser that started it, ten minutes at most.
CREATE TABLE sso_logins (
  state_hash    text PRIMARY KEY,      -- sha256 of the state sent to the provider
  provider      text NOT NULL,
  browser_hash  text NOT NULL,         -- sha256 of the short-lived cookie set on the browser that started it
  nonce         text NOT NULL,
  code_verifier text NOT NULL,         -- PKCE: sent to the token endpoint only
  next_path     text NOT NULL,
  expires_at    timestamptz NOT NULL
);
CREATE INDEX sso_logins_expiry ON sso_logins (expires_at);

-- Roles a provider's mapping granted (replaced at every sign-in through it); NULL: granted by hand.
ALTER TABLE role_assignments ADD COLUMN sso_provider text;
-- Sessions begun through a provider (sign-out offers the provider's end-session).
ALTER TABLE sessions ADD COLUMN sso_provider text;
