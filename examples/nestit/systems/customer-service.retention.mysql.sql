-- Nestit customer service (demo system), retention additions. Dialect: MariaDB/MySQL. Idempotent: applied when
-- an older demo database is opened (customer-service.*.sql has these since).
-- sensitive_details: sensitive information the customer shared in a case (e.g. about their health), erased
-- when the case is closed (rule case-sensitive-data).
ALTER TABLE cases ADD COLUMN IF NOT EXISTS sensitive_details TEXT;
