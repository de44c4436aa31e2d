/**
 * Delivery of result files: a file is stored encrypted (AES-256-GCM, key derived from OMBUD_SECRET), reached
 * through a link signed with HMAC-SHA256 that expires, and deleted (content wiped) once the period is over.
 * The link carries only the delivery id, the expiry and the signature.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import { OmbudError, precondition, validationError } from '../../core/errors.ts';
import type { Caller } from '../../core/policies/policy.ts';
import { recordAudit } from '../audit/auditLog.ts';
import { addEvent, getRequest, requestFor, type RequestDeps } from './store.ts';

export const DEFAULT_DELIVERY_DAYS = 14;
const MAX_BYTES = 20 * 1024 * 1024;

function keys(app: RequestDeps): { enc: Buffer; mac: Buffer } {
  const secret = app.config.secret;
  if (!secret)
    throw precondition(
      'secret-missing',
      'Result files need OMBUD_SECRET to be encrypted.',
      'Set OMBUD_SECRET (openssl rand -hex 32) and restart.',
    );
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, 'ombud-deliveries', info, 32));
  return { enc: derive('encrypt'), mac: derive('link') };
}

const sign = (mac: Buffer, payload: string) => createHmac('sha256', mac).update(payload).digest('base64url');

export async function attachResult(
  app: RequestDeps,
  caller: Caller,
  requestId: string,
  file: { filename: string; contentType: string; data: Buffer; days?: number },
): Promise<{ deliveryId: string; url: string; expiresAt: Date }> {
  const req = await requestFor(app, caller, requestId, 'write');
  const actor = caller.actor;
  if (file.data.length === 0 || file.data.length > MAX_BYTES)
    throw validationError('file-size', 'The file is empty or larger than 20 MB.', [
      { path: ['content'], message: 'size 1 byte – 20 MB' },
    ]);
  const { enc } = keys(app);
  const iv = randomBytes(12);
  const id = randomUUID();
  const cipher = createCipheriv('aes-256-gcm', enc, iv);
  cipher.setAAD(Buffer.from(id));
  const ct = Buffer.concat([cipher.update(file.data), cipher.final()]);
  const now = app.now();
  const expiresAt = new Date(now.getTime() + (file.days ?? DEFAULT_DELIVERY_DAYS) * 86_400_000);
  await app.db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO dsr_deliveries (id, request_id, filename, content_type, size_bytes, iv, tag, ciphertext, created_at, expires_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
      [
        id,
        requestId,
        file.filename,
        file.contentType,
        file.data.length,
        iv.toString('base64'),
        cipher.getAuthTag().toString('base64'),
        ct.toString('base64'),
        now.toISOString(),
        expiresAt.toISOString(),
      ],
    );
    await addEvent(tx, actor, req, 'result-attached', {
      at: now,
      details: { delivery: id, bytes: file.data.length, expiresAt: expiresAt.toISOString() },
    });
  });
  return { deliveryId: id, url: downloadLink(app, id, expiresAt), expiresAt };
}

/** The signed link of a stored delivery (the same link every time for the same delivery). */
export function downloadLink(app: RequestDeps, deliveryId: string, expiresAt: Date): string {
  const { mac } = keys(app);
  const exp = Math.floor(expiresAt.getTime() / 1000);
  const token = `${deliveryId}.${exp}.${sign(mac, `${deliveryId}.${exp}`)}`;
  return `${app.config.publicUrl}/privacy/requests/download/${token}`;
}

const gone = () =>
  new OmbudError('gone', 'link-expired', 'This download link has expired or is not valid.', {
    hint: 'Ask us for a new link by replying to our e-mail.',
  });

/** Check the signed link and return the decrypted file. Every download is audited. */
export async function openResult(
  app: RequestDeps,
  token: string,
): Promise<{ filename: string; contentType: string; data: Buffer }> {
  const { enc, mac } = keys(app);
  const [id, exp, sig] = token.split('.');
  if (!id || !exp || !sig || !/^[0-9a-f-]{36}$/.test(id) || !/^\d+$/.test(exp)) throw gone();
  const want = Buffer.from(sign(mac, `${id}.${exp}`));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) throw gone();
  if (Number(exp) * 1000 < app.now().getTime()) throw gone();
  const rows = await app.db.query<{
    request_id: string;
    filename: string;
    content_type: string;
    iv: string;
    tag: string;
    ciphertext: string;
    deleted_at: Date | null;
    expires_at: Date;
  }>('SELECT * FROM dsr_deliveries WHERE id = $1', [id]);
  const row = rows[0];
  if (!row || row.deleted_at || new Date(row.expires_at).getTime() < app.now().getTime()) throw gone();
  const decipher = createDecipheriv('aes-256-gcm', enc, Buffer.from(row.iv, 'base64'));
  decipher.setAAD(Buffer.from(id));
  decipher.setAuthTag(Buffer.from(row.tag, 'base64'));
  const data = Buffer.concat([decipher.update(Buffer.from(row.ciphertext, 'base64')), decipher.final()]);
  await app.db.query('UPDATE dsr_deliveries SET downloads = downloads + 1 WHERE id = $1', [id]);
  const req = await getRequest(app.db, row.request_id);
  await recordAudit(app.db, {
    actor: { kind: 'data-subject', id: req.submission_id },
    orgId: req.org_id,
    action: 'request.result-downloaded',
    target: req.id,
    details: { delivery: id },
    at: app.now(),
  });
  return { filename: row.filename, contentType: row.content_type, data };
}

/** Wipe the content of deliveries past their period (run daily). */
export async function purgeExpiredResults(app: RequestDeps): Promise<number> {
  const rows = await app.db.query<{ id: string }>(
    `UPDATE dsr_deliveries SET ciphertext = '', iv = '', tag = '', deleted_at = $1
     WHERE deleted_at IS NULL AND expires_at < $1 RETURNING id`,
    [app.now().toISOString()],
  );
  if (rows.length)
    await recordAudit(app.db, {
      actor: { kind: 'system', id: 'ombud' },
      action: 'request.results-purged',
      details: { deliveries: rows.map((r) => r.id) },
      at: app.now(),
    });
  return rows.length;
}
