-- Nestit web shop (demo system), retention additions. Dialect: PostgreSQL. Idempotent: applied when an older
-- demo database is opened (webshop.*.sql has these since). Each start of every Ombud process opens it: a
-- change that is there already takes no lock on its table (ALTER and CREATE INDEX would, even with IF NOT
-- EXISTS), so a start never waits for, or holds up, the work of the other processes.
-- last_activity_at: the day of the customer's last purchase, login or contact, kept by the web shop; the
-- rule order-data ("3 years after your last purchase or contact") runs from it.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                   AND table_name = 'customers' AND column_name = 'last_activity_at') THEN
    ALTER TABLE customers ADD COLUMN last_activity_at timestamp;
  END IF;
END $$;
-- Survey answers (purpose surveys, rule survey-answers: anonymised after 12 months).
CREATE TABLE IF NOT EXISTS survey_answers (
  id INTEGER PRIMARY KEY,
  customer_number VARCHAR(20),
  email VARCHAR(200),
  order_number VARCHAR(20),
  survey VARCHAR(40) NOT NULL,
  score INTEGER NOT NULL,
  comment TEXT,
  answered_at timestamp NOT NULL
);
DO $$ BEGIN IF to_regclass('survey_answers_customer') IS NULL THEN CREATE INDEX survey_answers_customer ON survey_answers (customer_number); END IF; END $$;
-- Pseudonymised order data for customer analyses (rule customer-analysis: anonymised after 36 months).
CREATE TABLE IF NOT EXISTS order_analytics (
  id INTEGER PRIMARY KEY,
  customer_number VARCHAR(20),
  country CHAR(2),
  product_sku VARCHAR(40),
  items INTEGER NOT NULL,
  total_cents INTEGER NOT NULL,
  collected_at timestamp NOT NULL
);
DO $$ BEGIN IF to_regclass('order_analytics_customer') IS NULL THEN CREATE INDEX order_analytics_customer ON order_analytics (customer_number); END IF; END $$;
-- Order data taken out for customer analyses, still identified, until it is pseudonymised into
-- order_analytics (rule customer-analysis-identified: deleted after 30 days).
CREATE TABLE IF NOT EXISTS analysis_extracts (
  id INTEGER PRIMARY KEY,
  customer_number VARCHAR(20),
  email VARCHAR(200),
  order_number VARCHAR(20),
  product_sku VARCHAR(40),
  extracted_at timestamp NOT NULL
);
DO $$ BEGIN IF to_regclass('analysis_extracts_customer') IS NULL THEN CREATE INDEX analysis_extracts_customer ON analysis_extracts (customer_number); END IF; END $$;
DO $$ BEGIN IF to_regclass('analysis_extracts_email') IS NULL THEN CREATE INDEX analysis_extracts_email ON analysis_extracts (email); END IF; END $$;
-- Opens and clicks of the newsletters (purpose communication-subscription, analysed in aggregate only: P38).
CREATE TABLE IF NOT EXISTS newsletter_events (
  id INTEGER PRIMARY KEY,
  email VARCHAR(200) NOT NULL,
  campaign VARCHAR(40) NOT NULL,
  event VARCHAR(10) NOT NULL,
  occurred_at timestamp NOT NULL
);
DO $$ BEGIN IF to_regclass('newsletter_events_email') IS NULL THEN CREATE INDEX newsletter_events_email ON newsletter_events (email); END IF; END $$;
-- The sweep asks, per customer, whether an account still points at it.
DO $$ BEGIN IF to_regclass('accounts_customer') IS NULL THEN CREATE INDEX accounts_customer ON accounts (customer_id); END IF; END $$;
