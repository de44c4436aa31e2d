/**
 * A consent event as the rest of Ombud sees it (pure types): what recordConsentEvent stores, the webhooks
 * send, the propagator and the request desk pass on.
 */

export const EVENT_KINDS = ['grant', 'withdraw', 'object', 'lift-objection'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export type ConsentEvent = {
  id: string;
  seq: number;
  orgId: string;
  subjectId: string;
  purposeId: string;
  channel: string;
  kind: EventKind;
  wording: string | null;
  noticeVersion: number | null;
  source: string;
  actor: string;
  at: string;
  recordedAt: string;
};
