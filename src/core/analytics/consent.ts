/**
 * Who may be in an analytics export (P38, P42): a pure decision per data subject of the consent register.
 *
 * - A restricted subject (Art. 18) is never in one.
 * - A subject who objected to the export's purpose (on any channel) is not; for a direct-marketing purpose
 *   an objection to direct marketing counts too.
 * - Channel behaviour (opens, clicks, browsing) needs each consent the export requires (the purpose's cookie
 *   consent and the communication consent): a subject without them is not in it, and a subject the consent
 *   register does not know has none.
 * - Otherwise (order data on legitimate interest) a subject is in it until they object.
 */
import { DIRECT_MARKETING, isDirectMarketing, mayContact, type StateRow } from '../consent/rules.ts';
import type { Purpose } from '../register/schema.ts';

export type AnalyticsExclusion = 'restricted' | 'objected' | 'no-consent';

export function analyticsDecision(q: {
  purpose: Purpose;
  orgId: string;
  requires: { purpose: Purpose; channel: string }[];
  state: StateRow[];
  restricted: boolean;
}): { included: true } | { included: false; reason: AnalyticsExclusion } {
  if (q.restricted) return { included: false, reason: 'restricted' };
  const objected = (purposeId: string) => {
    const rows = q.state.filter((s) => s.purposeId === purposeId);
    // The newest row per channel decides that channel.
    const newest = new Map<string, StateRow>();
    for (const s of rows) {
      const n = newest.get(s.channel);
      if (!n || s.since.getTime() > n.since.getTime()) newest.set(s.channel, s);
    }
    return [...newest.values()].some((s) => s.status === 'objected');
  };
  if (objected(q.purpose.id)) return { included: false, reason: 'objected' };
  if (isDirectMarketing(q.purpose) && objected(DIRECT_MARKETING))
    return { included: false, reason: 'objected' };
  for (const r of q.requires) {
    const d = mayContact({
      purpose: r.purpose,
      orgId: q.orgId,
      channel: r.channel,
      state: q.state,
      restricted: false,
    });
    if (!d.allowed || d.reason !== 'consent-granted')
      return { included: false, reason: d.reason.startsWith('objected') ? 'objected' : 'no-consent' };
  }
  return { included: true };
}
