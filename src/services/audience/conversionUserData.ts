/**
 * The hashed user data of a conversion for the network (P45, enhanced conversions): built on the server
 * only when the visitor's cookie consent for the purpose's category (marketing) is on; otherwise refused
 * with the reason. The plain e-mail address and phone number never leave this function; the answer holds
 * their hashes by the network's rule. Each decision is audited (the consent id and the reason, no identity).
 */
import { conversionDecision, type ConversionRefusal } from '../../core/audience/conversion.ts';
import { CURRENT_RULE, hashIdentifier, type NetworkRule } from '../../core/audience/hashing.ts';
import { notFound } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAudit } from '../audit/auditLog.ts';

export type ConversionUserData =
  | {
      sent: true;
      ruleId: string;
      /** Google Ads / Data Manager user identifiers, or Meta's em / ph. */
      userIdentifiers: { hashedEmail?: string; hashedPhoneNumber?: string }[];
      /** Identifiers given that could not be normalised (left out, never sent raw). */
      skipped: number;
    }
  | { sent: false; reason: ConversionRefusal };

export async function conversionUserData(
  deps: { db: Db; index: RegisterIndex; now: () => Date },
  actor: Actor,
  q: {
    orgId: string;
    purposeId: string;
    recipient: string;
    rule: NetworkRule;
    consentId: string;
    email?: string;
    phone?: string;
  },
): Promise<ConversionUserData> {
  const purpose = deps.index.purposes.get(q.purposeId);
  if (!purpose?.controllers.includes(q.orgId))
    throw notFound('purpose', `No purpose '${q.purposeId}' of '${q.orgId}'.`);
  const [row] = await deps.db.query<{ categories: Record<string, boolean> | string; at: Date }>(
    'SELECT categories, at FROM cookie_consents WHERE consent_id = $1 AND org_id = $2 ORDER BY seq DESC LIMIT 1',
    [q.consentId, q.orgId],
  );
  const now = deps.now();
  const decision = conversionDecision({
    purpose,
    recipient: q.recipient,
    choice: row && {
      categories: typeof row.categories === 'string' ? JSON.parse(row.categories) : row.categories,
      at: new Date(row.at),
    },
    now,
    reaskDays: deps.index.register.group.cookieReaskDays,
  });
  await recordAudit(deps.db, {
    actor,
    orgId: q.orgId,
    action: decision.allowed ? 'audience.conversion.prepared' : 'audience.conversion.refused',
    target: `purpose:${purpose.id}`,
    at: now,
    details: {
      consentId: q.consentId,
      recipient: q.recipient,
      ...(decision.allowed ? {} : { reason: decision.reason }),
    },
  });
  if (!decision.allowed) return { sent: false, reason: decision.reason };
  const rule = CURRENT_RULE[q.rule];
  const country = deps.index.organization(q.orgId)?.country;
  const userIdentifiers: { hashedEmail?: string; hashedPhoneNumber?: string }[] = [];
  let skipped = 0;
  if (q.email !== undefined) {
    const h = hashIdentifier(rule, 'email', q.email, country);
    if (h) userIdentifiers.push({ hashedEmail: h });
    else skipped++;
  }
  if (q.phone !== undefined) {
    const h = hashIdentifier(rule, 'phone', q.phone, country);
    if (h) userIdentifiers.push({ hashedPhoneNumber: h });
    else skipped++;
  }
  return { sent: true, ruleId: rule.id, userIdentifiers, skipped };
}
