/**
 * The preference center's use cases: what a subject sees (per company of the group, each
 * communication category with its basis and current choice) and applying a change or "leave all".
 * Each change is an ordinary consent event with source 'preference-center' and the wording shown.
 */
import {
  channelsOf,
  communicationBasis,
  EVERY_CHANNEL,
  isDirectMarketing,
  mayContact,
  type StateRow,
} from '../../core/consent/rules.ts';
import { identityInputOf } from '../../core/consent/identity.ts';
import { notFound } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Language, Purpose } from '../../core/register/schema.ts';
import { t } from '../../core/register/schema.ts';
import type { Db } from '../../storage/db.ts';
import type { Actor } from '../audit/auditLog.ts';
import { recordAudit } from '../audit/auditLog.ts';
import { type ConsentKeys, identityHash } from './keys.ts';
import { todayIn } from '../../app.ts';
import { noticeVersionInForce } from '../notice/noticeInForce.ts';
import { type ConsentEvent, recordConsentEvent } from './recordConsentEvent.ts';
import { identitiesOf, subjectById } from './subjects.ts';

export type PreferenceItem = {
  orgId: string;
  subjectId: string;
  purposeId: string;
  channel: string;
  label: string;
  basis: 'consent' | 'legitimate-interests' | string;
  on: boolean;
};
export type PreferenceCompany = { orgId: string; name: string; items: PreferenceItem[] };

/**
 * Purposes shown in the preference center: those with a communication block, and every direct-marketing
 * purpose that reaches people through their addresses without one (ad matching by hashed e-mail, P44),
 * which the person can object to there (Art. 21(2)).
 */
export const preferencePurposes = (index: RegisterIndex, orgId: string): Purpose[] =>
  index
    .purposesOf(orgId)
    .filter((p) => p.communication || (isDirectMarketing(p) && channelsOf(p).length > 0));

/**
 * The settings of a purpose: one per channel it sends on; a purpose that sends nothing (ad matching)
 * is one setting for every channel ('*'): it is on while no channel of it is objected to.
 */
const settingChannels = (p: Purpose): string[] =>
  p.communication || communicationBasis(p) === 'consent' ? channelsOf(p) : [EVERY_CHANNEL];

const CHANNEL_NAMES: Record<string, Record<Language, string>> = {
  email: { en: 'e-mail', sv: 'e-post', nb: 'e-post' },
  sms: { en: 'text message', sv: 'sms', nb: 'SMS' },
  post: { en: 'post', sv: 'post', nb: 'post' },
  phone: { en: 'phone', sv: 'telefon', nb: 'telefon' },
  push: { en: 'push notification', sv: 'pushnotis', nb: 'pushvarsel' },
};
export const channelName = (c: string, lang: Language) => CHANNEL_NAMES[c]?.[lang] ?? c;
export const itemLabel = (p: Purpose, channel: string, lang: Language) =>
  `${t(p.name, lang)} (${channelName(channel, lang)})`;

/** The subject of the token, and the same person at the group's other companies (matched by identity). */
export async function preferencesOf(
  db: Db,
  keys: ConsentKeys,
  index: RegisterIndex,
  subjectId: string,
  lang: Language,
): Promise<PreferenceCompany[]> {
  const subject = await subjectById(db, subjectId);
  if (!subject) throw notFound('data subject', subjectId);
  const ids = await identitiesOf(db, keys, subject.id);
  const companies: PreferenceCompany[] = [];
  for (const org of index.register.organizations) {
    let sid: string | undefined = org.id === subject.orgId ? subject.id : undefined;
    let restricted = org.id === subject.orgId ? subject.restricted : false;
    if (!sid && ids.length) {
      const rows = await db.query<{ id: string; restricted: boolean }>(
        `SELECT s.id, s.restricted FROM consent_identities i JOIN consent_subjects s ON s.id = i.subject_id
          WHERE i.org_id = $1 AND i.value_hash = ANY($2::text[]) LIMIT 1`,
        [org.id, ids.map((i) => identityHash(keys, org.id, i.kind, i.value))],
      );
      sid = rows[0]?.id;
      restricted = rows[0]?.restricted ?? false;
    }
    if (!sid) continue;
    const stateRows = await db.query<{
      purpose_id: string;
      channel: string;
      status: StateRow['status'];
      since: Date;
    }>('SELECT purpose_id, channel, status, since FROM consent_state WHERE subject_id = $1', [sid]);
    const state = stateRows.map((r) => ({
      purposeId: r.purpose_id,
      channel: r.channel,
      status: r.status,
      since: new Date(r.since),
    }));
    const items: PreferenceItem[] = [];
    const allowed = (p: Purpose, channel: string) =>
      mayContact({ purpose: p, orgId: org.id, channel, state, restricted }).allowed;
    for (const p of preferencePurposes(index, org.id))
      for (const channel of settingChannels(p))
        items.push({
          orgId: org.id,
          subjectId: sid,
          purposeId: p.id,
          channel,
          label: channel === EVERY_CHANNEL ? t(p.name, lang) : itemLabel(p, channel, lang),
          basis: communicationBasis(p),
          on: channel === EVERY_CHANNEL ? channelsOf(p).every((c) => allowed(p, c)) : allowed(p, channel),
        });
    if (items.length) companies.push({ orgId: org.id, name: org.legalName, items });
  }
  return companies;
}

/**
 * Apply the wanted settings: `wanted` holds the keys `org|purpose|channel` to leave on; every
 * other item shown is turned off. Only differences become events.
 */
export async function applyPreferences(
  db: Db,
  keys: ConsentKeys,
  index: RegisterIndex,
  subjectId: string,
  lang: Language,
  wanted: Set<string>,
  now: Date,
): Promise<ConsentEvent[]> {
  const companies = await preferencesOf(db, keys, index, subjectId, lang);
  const events: ConsentEvent[] = [];
  // The proof names the notice each company had in force that day (read once per company).
  const notices = new Map<string, Promise<number | undefined>>();
  const noticeOf = (orgId: string) => {
    let v = notices.get(orgId);
    if (!v) {
      v = noticeVersionInForce(db, orgId, todayIn(now, index.organization(orgId)?.timeZone));
      notices.set(orgId, v);
    }
    return v;
  };
  for (const c of companies)
    for (const item of c.items) {
      const want = wanted.has(`${item.orgId}|${item.purposeId}|${item.channel}`);
      if (want === item.on) continue;
      const actor: Actor = { kind: 'data-subject', id: item.subjectId };
      const ids = await identitiesOf(db, keys, item.subjectId);
      const identity = identityInputOf(ids);
      const kind =
        item.basis === 'consent' ? (want ? 'grant' : 'withdraw') : want ? 'lift-objection' : 'object';
      const { event } = await recordConsentEvent(
        db,
        actor,
        keys,
        index,
        {
          orgId: item.orgId,
          identity,
          purposeId: item.purposeId,
          channel: item.channel,
          kind,
          wording: item.label,
          noticeVersion: await noticeOf(item.orgId),
          source: 'preference-center',
        },
        now,
      );
      events.push(event);
    }
  await recordAudit(db, {
    actor: { kind: 'data-subject', id: subjectId },
    action: 'consent.preferences.save',
    target: `subject:${subjectId}`,
    details: { changes: events.length },
  });
  return events;
}
