-- Nestit customer service (demo system), retention additions. Dialect: PostgreSQL. Idempotent: applied when
-- an older demo database is opened (customer-service.*.sql has these since). A change that is there already
-- takes no lock on its table (see webshop.retention.pg.sql).
-- sensitive_details: sensitive information the customer shared in a case (e.g. about their health), erased
-- when the case is closed (rule case-sensitive-data).
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                   AND table_name = 'cases' AND column_name = 'sensitive_details') THEN
    ALTER TABLE cases ADD COLUMN sensitive_details TEXT;
  END IF;
END $$;
