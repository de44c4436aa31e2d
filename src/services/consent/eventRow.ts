import type { EventKind } from '../../core/consent/event.ts';

/** A row of `consent_events` as the driver returns it. */
export type EventRow = {
  seq: string | number;
  id: string;
  org_id: string;
  subject_id: string;
  purpose_id: string;
  channel: string;
  kind: EventKind;
  wording: string | null;
  notice_version: number | null;
  source: string;
  actor: string;
  at: Date | string;
  recorded_at: Date | string;
  request_hash: string | null;
};
