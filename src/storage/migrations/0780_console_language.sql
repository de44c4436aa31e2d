-- The console's language per person (en, sv, nb); NULL follows the browser's Accept-Language.
ALTER TABLE users ADD COLUMN language text NULL;
ALTER TABLE users ADD CONSTRAINT users_language_check CHECK (language IS NULL OR language IN ('en', 'sv', 'nb'));
