-- One source of truth for contact (integration, 0350-0369): stops decided on requests (objection to direct
-- marketing, withdrawal of consent, upheld objection) are consent events now, recorded through the consent
-- services. dsr_stops goes; rows it held are moved to a queue that `backfillRequestStops` (run by
-- `ombud start`) turns into consent events (that needs the keyed identity hash, which SQL cannot compute),
-- deleting each row once its events are recorded.
CREATE TABLE dsr_stop_backfill (
  id          bigint PRIMARY KEY,
  org_id      text NOT NULL,
  purpose_id  text NOT NULL,
  kind        text NOT NULL,
  request_id  uuid NOT NULL REFERENCES dsr_requests (id),
  at          timestamptz NOT NULL
);
INSERT INTO dsr_stop_backfill (id, org_id, purpose_id, kind, request_id, at)
  SELECT id, org_id, purpose_id, kind, request_id, at FROM dsr_stops;
DROP TABLE dsr_stops;
