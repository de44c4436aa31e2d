/**
 * May we contact this data subject on this channel for this purpose? The domain rules, pure:
 * the purpose and its legal basis come from the register; the subject's state comes from the
 * consent events (already folded into a current state by the caller).
 *
 * - A purpose resting on consent (Art. 6(1)(a)) needs a grant for that channel that was not withdrawn.
 * - A purpose resting on legitimate interests (Art. 6(1)(f)) may be used until the subject objects.
 * - An objection to direct marketing (Art. 21(2)-(3)) stops every direct-marketing purpose at once,
 *   with no balancing: `DIRECT_MARKETING` as purpose, or an objection to the purpose itself.
 * - An objection to a non-marketing legitimate-interest purpose stops it until the controller has
 *   shown compelling grounds (Art. 21(1)); Ombud never decides that balancing by itself.
 * - A restriction of processing (Art. 18) stops all communication.
 */
import type { CHANNELS, LegalBasis, Purpose } from '../register/schema.ts';

export type Channel = (typeof CHANNELS)[number];

/** Objection recorded against this pseudo-purpose covers every direct-marketing purpose. */
export const DIRECT_MARKETING = 'direct-marketing';
/** Objection recorded against this channel covers every channel of the purpose. */
export const EVERY_CHANNEL = '*';

export type StateStatus = 'granted' | 'withdrawn' | 'objected' | 'objection-lifted';
export type StateRow = { purposeId: string; channel: string; status: StateStatus; since: Date };

export type Decision = {
  allowed: boolean;
  basis: LegalBasis | 'none';
  reason:
    | 'consent-granted'
    | 'no-consent'
    | 'consent-withdrawn'
    | 'legitimate-interests'
    | 'objected'
    | 'objected-direct-marketing'
    | 'restricted'
    | 'channel-not-declared'
    | 'not-controller'
    | 'necessary';
};

/** The legal basis a purpose's communication rests on: consent wins if any data of it rests on consent. */
export function communicationBasis(p: Purpose): LegalBasis {
  if (p.consent || p.data.some((d) => d.legalBasis === 'consent')) return 'consent';
  if (p.data.some((d) => d.legalBasis === 'legitimate-interests')) return 'legitimate-interests';
  return p.data[0]!.legalBasis;
}

/** Declared by the communication block; otherwise a fideslang marketing data use is direct marketing (Recital 47). */
export function isDirectMarketing(p: Purpose): boolean {
  return p.communication?.directMarketing ?? p.dataUse.startsWith('marketing.');
}

/**
 * The channels a purpose reaches people on: those declared, or for a purpose without a
 * communication block (such as ad matching by hashed e-mail), the addresses it processes.
 */
export function channelsOf(p: Purpose): string[] {
  const declared = [...(p.communication?.channels ?? []), ...(p.consent?.channels ?? [])];
  if (declared.length > 0) return [...new Set(declared)];
  const cats = p.data.flatMap((d) => d.categories);
  const out: string[] = [];
  if (cats.some((c) => c.startsWith('user.contact.email'))) out.push('email');
  if (cats.some((c) => c.startsWith('user.contact.phone'))) out.push('sms', 'phone');
  return out;
}

/** What mayContact needs of a purpose, worked out once per (immutable) purpose of a register revision. */
const traits = new WeakMap<Purpose, { basis: LegalBasis; channels: string[]; directMarketing: boolean }>();
function traitsOf(p: Purpose) {
  let t = traits.get(p);
  if (!t) {
    t = { basis: communicationBasis(p), channels: channelsOf(p), directMarketing: isDirectMarketing(p) };
    traits.set(p, t);
  }
  return t;
}

/** The newest state row of the purpose on one of the channels (the first of equals, as a stable sort gives). */
function latest(state: StateRow[], purposeId: string, channel: string, other?: string): StateRow | undefined {
  let best: StateRow | undefined;
  for (const s of state)
    if (
      s.purposeId === purposeId &&
      (s.channel === channel || s.channel === other) &&
      (best === undefined || s.since.getTime() > best.since.getTime())
    )
      best = s;
  return best;
}

/** A consent given after the objection: a newer expression of will. */
function grantedAfter(basis: LegalBasis, grant: StateRow | undefined, objection: StateRow): boolean {
  return (
    basis === 'consent' && grant?.status === 'granted' && grant.since.getTime() > objection.since.getTime()
  );
}

export function mayContact(q: {
  purpose: Purpose;
  orgId: string;
  channel: Channel | string;
  /** Every state row of the subject for this purpose and for DIRECT_MARKETING. */
  state: StateRow[];
  restricted: boolean;
}): Decision {
  const { purpose: p } = q;
  const { basis, channels, directMarketing } = traitsOf(p);
  if (!p.controllers.includes(q.orgId)) return { allowed: false, basis, reason: 'not-controller' };
  if (!channels.includes(q.channel)) return { allowed: false, basis, reason: 'channel-not-declared' };
  if (q.restricted) return { allowed: false, basis, reason: 'restricted' };

  const grant = latest(q.state, p.id, q.channel);
  const objection = latest(q.state, p.id, EVERY_CHANNEL, q.channel);
  const dmObjection = directMarketing
    ? latest(q.state, DIRECT_MARKETING, EVERY_CHANNEL, q.channel)
    : undefined;

  // Art. 21(3): an objection to direct marketing stops it, no balancing. Only a later, explicit
  // consent to the very purpose (a newer expression of will) overrides it.
  if (dmObjection?.status === 'objected' && !grantedAfter(basis, grant, dmObjection))
    return { allowed: false, basis, reason: 'objected-direct-marketing' };
  if (objection?.status === 'objected' && !grantedAfter(basis, grant, objection))
    return { allowed: false, basis, reason: directMarketing ? 'objected-direct-marketing' : 'objected' };

  if (basis === 'consent') {
    if (grant?.status === 'granted') return { allowed: true, basis, reason: 'consent-granted' };
    return {
      allowed: false,
      basis,
      reason: grant?.status === 'withdrawn' ? 'consent-withdrawn' : 'no-consent',
    };
  }
  if (basis === 'legitimate-interests') return { allowed: true, basis, reason: 'legitimate-interests' };
  return { allowed: true, basis, reason: 'necessary' };
}

/** The state a new event leaves behind. */
export function statusAfter(kind: 'grant' | 'withdraw' | 'object' | 'lift-objection'): StateStatus {
  return (
    {
      grant: 'granted',
      withdraw: 'withdrawn',
      object: 'objected',
      'lift-objection': 'objection-lifted',
    } as const
  )[kind];
}
