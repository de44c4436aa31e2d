/**
 * Store a cookie-banner choice as proof under the anonymous consent id (no personal data: no IP,
 * no user agent). Immutable; the newest row per consent id is the visitor's current choice.
 */
import type { Db } from '../../storage/db.ts';
import type { CookieConsentProof } from '../../web/sdk/consent/config.ts';

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

export async function cookieConsentHistory(db: Db, consentId: string) {
  return db.query<{
    seq: number;
    org_id: string;
    action: string;
    categories: Record<string, boolean>;
    inventory_version: string;
    gpc: boolean;
    lang: string;
    url: string;
    at: Date;
  }>('SELECT * FROM cookie_consents WHERE consent_id = $1 ORDER BY seq', [consentId]);
}
