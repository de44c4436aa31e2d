-- Nestit web shop (demo system). Dialect: MariaDB/MySQL.
-- Invoices are bookkeeping records: they carry their own copy of the billing details and no foreign key,
-- so the rest of a customer's data can be erased while the invoice is kept under the bookkeeping acts.
-- The tables come first with their primary keys; the secondary indexes, unique keys and foreign keys follow
-- the marker line below, so a bulk load (ombud demo seed) can fill the tables before building them.
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  customer_number VARCHAR(20) NOT NULL,
  email VARCHAR(200) NOT NULL,
  phone VARCHAR(40),
  first_name VARCHAR(100),
  last_name VARCHAR(100),
  street VARCHAR(200),
  postal_code VARCHAR(20),
  city VARCHAR(100),
  country CHAR(2) NOT NULL,
  created_at datetime NOT NULL,
  -- The day of the customer's last purchase, login or contact, kept by the shop (retention runs from it).
  last_activity_at datetime
);
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL,
  username VARCHAR(200) NOT NULL,
  password_hash VARCHAR(200) NOT NULL,
  last_login_at datetime
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL,
  order_number VARCHAR(20) NOT NULL,
  placed_at datetime NOT NULL,
  delivery_name VARCHAR(200),
  delivery_street VARCHAR(200),
  delivery_postal_code VARCHAR(20),
  delivery_city VARCHAR(100),
  total_cents INTEGER NOT NULL
);
CREATE TABLE order_lines (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL,
  product_sku VARCHAR(40) NOT NULL,
  product_name VARCHAR(200) NOT NULL,
  quantity INTEGER NOT NULL,
  unit_price_cents INTEGER NOT NULL
);
CREATE TABLE invoices (
  id INTEGER PRIMARY KEY,
  invoice_number VARCHAR(20) NOT NULL,
  seller_org VARCHAR(40) NOT NULL,
  customer_number VARCHAR(20) NOT NULL,
  order_number VARCHAR(20) NOT NULL,
  billing_name VARCHAR(200),
  billing_email VARCHAR(200),
  billing_street VARCHAR(200),
  billing_postal_code VARCHAR(20),
  billing_city VARCHAR(100),
  invoice_date DATE NOT NULL,
  items TEXT NOT NULL,
  amount_cents INTEGER NOT NULL,
  restricted BOOLEAN NOT NULL DEFAULT FALSE,
  erase_on DATE
);
CREATE TABLE reviews (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL,
  product_sku VARCHAR(40) NOT NULL,
  rating INTEGER NOT NULL,
  body TEXT,
  published_at datetime NOT NULL
);
CREATE TABLE newsletter_signups (
  id INTEGER PRIMARY KEY,
  email VARCHAR(200) NOT NULL,
  phone VARCHAR(40),
  channels VARCHAR(40) NOT NULL,
  signed_up_at datetime NOT NULL
);
-- Opens and clicks of the newsletters (purpose communication-subscription, analysed in aggregate only: P38).
CREATE TABLE newsletter_events (
  id INTEGER PRIMARY KEY,
  email VARCHAR(200) NOT NULL,
  campaign VARCHAR(40) NOT NULL,
  event VARCHAR(10) NOT NULL,
  occurred_at datetime NOT NULL
);
-- Answers to the post-purchase survey (purpose surveys, rule survey-answers: anonymised after 12 months).
CREATE TABLE survey_answers (
  id INTEGER PRIMARY KEY,
  customer_number VARCHAR(20),
  email VARCHAR(200),
  order_number VARCHAR(20),
  survey VARCHAR(40) NOT NULL,
  score INTEGER NOT NULL,
  comment TEXT,
  answered_at datetime NOT NULL
);
-- Pseudonymised order data for customer analyses (rule customer-analysis: anonymised after 36 months).
CREATE TABLE order_analytics (
  id INTEGER PRIMARY KEY,
  customer_number VARCHAR(20),
  country CHAR(2),
  product_sku VARCHAR(40),
  items INTEGER NOT NULL,
  total_cents INTEGER NOT NULL,
  collected_at datetime NOT NULL
);
-- Order data taken out for customer analyses, still identified, until it is pseudonymised into
-- order_analytics (rule customer-analysis-identified: deleted after 30 days).
CREATE TABLE analysis_extracts (
  id INTEGER PRIMARY KEY,
  customer_number VARCHAR(20),
  email VARCHAR(200),
  order_number VARCHAR(20),
  product_sku VARCHAR(40),
  extracted_at datetime NOT NULL
);
-- @after-load: indexes, unique keys and foreign keys (every identity and reference column is indexed).
ALTER TABLE customers ADD UNIQUE (customer_number);
CREATE INDEX customers_email ON customers (email);
CREATE INDEX customers_phone ON customers (phone);
CREATE INDEX accounts_customer ON accounts (customer_id);
ALTER TABLE accounts ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE orders ADD UNIQUE (order_number);
CREATE INDEX orders_customer ON orders (customer_id);
ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
CREATE INDEX order_lines_order ON order_lines (order_id);
ALTER TABLE order_lines ADD FOREIGN KEY (order_id) REFERENCES orders (id);
ALTER TABLE invoices ADD UNIQUE (invoice_number);
CREATE INDEX invoices_customer ON invoices (customer_number);
CREATE INDEX invoices_email ON invoices (billing_email);
CREATE INDEX reviews_customer ON reviews (customer_id);
ALTER TABLE reviews ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
CREATE INDEX newsletter_email ON newsletter_signups (email);
CREATE INDEX newsletter_phone ON newsletter_signups (phone);
CREATE INDEX newsletter_events_email ON newsletter_events (email);
CREATE INDEX survey_answers_customer ON survey_answers (customer_number);
CREATE INDEX survey_answers_email ON survey_answers (email);
CREATE INDEX survey_answers_order ON survey_answers (order_number);
CREATE INDEX order_analytics_customer ON order_analytics (customer_number);
CREATE INDEX analysis_extracts_customer ON analysis_extracts (customer_number);
CREATE INDEX analysis_extracts_email ON analysis_extracts (email);
