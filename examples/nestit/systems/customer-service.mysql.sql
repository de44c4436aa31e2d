-- Nestit customer service (demo system). Dialect: MariaDB/MySQL.
-- Tables with their primary keys first; indexes, unique keys and foreign keys after the marker line.
CREATE TABLE cases (
  id INTEGER PRIMARY KEY,
  case_number VARCHAR(20) NOT NULL,
  customer_number VARCHAR(20),
  email VARCHAR(200),
  phone VARCHAR(40),
  contact_name VARCHAR(200),
  subject VARCHAR(300) NOT NULL,
  sensitive_details TEXT,
  opened_at datetime NOT NULL,
  closed_at datetime
);
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL,
  sender VARCHAR(20) NOT NULL,
  body TEXT NOT NULL,
  sent_at datetime NOT NULL
);
-- @after-load: indexes, unique keys and foreign keys (every identity and reference column is indexed).
ALTER TABLE cases ADD UNIQUE (case_number);
CREATE INDEX cases_customer ON cases (customer_number);
CREATE INDEX cases_email ON cases (email);
CREATE INDEX cases_phone ON cases (phone);
CREATE INDEX messages_case ON messages (case_id);
ALTER TABLE messages ADD FOREIGN KEY (case_id) REFERENCES cases (id);
