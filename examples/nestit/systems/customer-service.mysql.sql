-- Nestit customer service (demo system). Dialect: MariaDB/MySQL.
CREATE TABLE cases (
  id INTEGER PRIMARY KEY,
  case_number VARCHAR(20) NOT NULL UNIQUE,
  customer_number VARCHAR(20),
  email VARCHAR(200),
  phone VARCHAR(40),
  contact_name VARCHAR(200),
  subject VARCHAR(300) NOT NULL,
  opened_at datetime NOT NULL,
  closed_at datetime
);
CREATE INDEX cases_customer ON cases (customer_number);
CREATE INDEX cases_email ON cases (email);
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases (id),
  sender VARCHAR(20) NOT NULL,
  body TEXT NOT NULL,
  sent_at datetime NOT NULL
);
CREATE INDEX messages_case ON messages (case_id);
