-- Nestit web shop (demo system), retention additions. Dialect: MariaDB (MySQL 8 lacks ADD COLUMN IF NOT
-- EXISTS). Idempotent: applied when an older demo database is opened (webshop.*.sql has these since).
-- last_activity_at: the day of the customer's last purchase, login or contact, kept by the web shop; the
-- rule order-data ("3 years after your last purchase or contact") runs from it.
ALTER TABLE customers ADD COLUMN IF NOT EXISTS last_activity_at datetime;
-- Survey answers (purpose surveys, rule survey-answers: anonymised after 12 months).
CREATE TABLE IF NOT EXISTS survey_answers (
  id INTEGER PRIMARY KEY,
  customer_number VARCHAR(20),
  email VARCHAR(200),
  order_number VARCHAR(20),
  survey VARCHAR(40) NOT NULL,
  score INTEGER NOT NULL,
  comment TEXT,
  answered_at datetime NOT NULL
);
CREATE INDEX IF NOT EXISTS survey_answers_customer ON survey_answers (customer_number);
-- Pseudonymised order data for customer analyses (rule customer-analysis: anonymised after 36 months).
CREATE TABLE IF NOT EXISTS order_analytics (
  id INTEGER PRIMARY KEY,
  customer_number VARCHAR(20),
  country CHAR(2),
  product_sku VARCHAR(40),
  items INTEGER NOT NULL,
  total_cents INTEGER NOT NULL,
  collected_at datetime NOT NULL
);
CREATE INDEX IF NOT EXISTS order_analytics_customer ON order_analytics (customer_number);
-- Order data taken out for customer analyses, still identified, until it is pseudonymised into
-- order_analytics (rule customer-analysis-identified: deleted after 30 days).
CREATE TABLE IF NOT EXISTS analysis_extracts (
  id INTEGER PRIMARY KEY,
  customer_number VARCHAR(20),
  email VARCHAR(200),
  order_number VARCHAR(20),
  product_sku VARCHAR(40),
  extracted_at datetime NOT NULL
);
CREATE INDEX IF NOT EXISTS analysis_extracts_customer ON analysis_extracts (customer_number);
CREATE INDEX IF NOT EXISTS analysis_extracts_email ON analysis_extracts (email);
-- Opens and clicks of the newsletters (purpose communication-subscription, analysed in aggregate only: P38).
CREATE TABLE IF NOT EXISTS newsletter_events (
  id INTEGER PRIMARY KEY,
  email VARCHAR(200) NOT NULL,
  campaign VARCHAR(40) NOT NULL,
  event VARCHAR(10) NOT NULL,
  occurred_at datetime NOT NULL
);
CREATE INDEX IF NOT EXISTS newsletter_events_email ON newsletter_events (email);
-- The sweep asks, per customer, whether an account still points at it.
CREATE INDEX IF NOT EXISTS accounts_customer ON accounts (customer_id);
