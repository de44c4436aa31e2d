/**
 * Store a cookie-banner choice as proof under the anonymous consent id (no personal data: no IP,
 * no user agent). Immutable; the newest row per consent id is the visitor's current choice.
 */
import { notFound } from '../../core/errors.ts';
import { allowedInAll, type Caller, listScope } from '../../core/policies/policy.ts';
import { cookieConsentPolicy } from '../../core/policies/resources.ts';
import type { Db } from '../../storage/db.ts';
import { recordAudit } from '../audit/auditLog.ts';
import type { CookieConsentProof } from '../../core/consent/banner.ts';
import { type ProofWriter, proofWriter } from './proofWriter.ts';

const writers = new WeakMap<Db, ProofWriter>();

/**
 * Store a proof through the database's group-commit writer (src/services/consent/proofWriter.ts): resolves
 * with the proof's serial number once it is committed. The public POST uses this one.
 */
export function storeCookieConsent(
  db: Db,
  proof: CookieConsentProof,
  at: Date,
  batchMax = 200,
): Promise<number> {
  let w = writers.get(db);
  if (!w) {
    w = proofWriter(db, batchMax);
    writers.set(db, w);
  }
  return w.write(proof, at);
}

/** Store one proof with its own INSERT. */
export async function recordCookieConsent(db: Db, proof: CookieConsentProof, at: Date): Promise<number> {
  const rows = await db.query<{ seq: number }>(
    `INSERT INTO cookie_consents (consent_id, org_id, action, categories, inventory_version, gpc, lang, url, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq`,
    [
      proof.consentId,
      proof.org,
      proof.action,
      JSON.stringify(proof.categories),
      proof.inventoryVersion,
      proof.gpc,
      proof.lang,
      proof.url,
      at.toISOString(),
    ],
  );
  return Number(rows[0]!.seq);
}

/**
 * The stored choices of one anonymous consent id, as proof: only the rows of the companies where the
 * caller holds consent:read (filtered in SQL); none means "not found", whether the id is unknown or
 * another company's. The read is audited per company shown.
 */
export async function cookieConsentHistory(db: Db, caller: Caller, consentId: string) {
  const scope = listScope(caller.principal, cookieConsentPolicy.actions.read);
  const rows = await db.query<{
    seq: number;
    consent_id: string;
    org_id: string;
    action: CookieConsentProof['action'];
    categories: Record<string, boolean>;
    inventory_version: string;
    gpc: boolean;
    lang: CookieConsentProof['lang'];
    url: string;
    at: Date;
  }>(
    `SELECT seq, consent_id, org_id, action, categories, inventory_version, gpc, lang, url, at
       FROM cookie_consents WHERE consent_id = $1 AND ($2::text[] IS NULL OR org_id = ANY($2::text[]))
      ORDER BY seq`,
    [consentId, scope === 'all' ? null : scope],
  );
  // A row of a company outside the scope never got here; the policy says the same of each row shown.
  const visible = rows.filter((r) =>
    allowedInAll(caller.principal, cookieConsentPolicy.actions.read, [r.org_id]),
  );
  if (visible.length === 0) throw notFound(cookieConsentPolicy.resource, '(the consent id given)');
  for (const orgId of new Set(visible.map((r) => r.org_id)))
    await recordAudit(db, {
      actor: caller.actor,
      orgId,
      action: 'cookie-consent.read',
      target: `cookie-consent:${consentId}`,
    });
  return visible;
}
