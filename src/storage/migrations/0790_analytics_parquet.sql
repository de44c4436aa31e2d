-- Analytics exports in Parquet (issue 14 item 5): the format is allowed, and a Parquet file is kept as bytes
-- (body_bytes) where a CSV or JSON file is kept as text (body); an export has exactly one of the two.
ALTER TABLE analytics_exports DROP CONSTRAINT analytics_exports_format_check;
ALTER TABLE analytics_exports
  ADD CONSTRAINT analytics_exports_format_check CHECK (format IN ('csv', 'json', 'parquet'));
ALTER TABLE analytics_exports ALTER COLUMN body DROP NOT NULL;
ALTER TABLE analytics_exports ADD COLUMN body_bytes bytea;
ALTER TABLE analytics_exports
  ADD CONSTRAINT analytics_exports_one_body
  CHECK ((format = 'parquet') = (body_bytes IS NOT NULL) AND (body IS NULL) = (body_bytes IS NOT NULL));
