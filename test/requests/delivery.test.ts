/**
 * Result files reach the customer through a signed, expiring link; they are encrypted at rest and wiped
 * after the period.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { purgeExpiredResults } from '../../src/services/requests/deliverResult.ts';
import { type DeskServer, startDesk } from './support.ts';

describe('result delivery', () => {
  let s: DeskServer;
  let clock: Date | undefined;
  beforeAll(async () => {
    s = await startDesk({ now: () => clock ?? new Date() });
    s.configure({ secret: 'test-secret-0123456789abcdef0123456789abcdef' });
  });
  afterAll(async () => s?.close());

  test('P25 P30 a register extract is delivered by a signed, expiring link, encrypted at rest, deleted after the period', async () => {
    const filed = await s.server.inject({
      method: 'POST',
      url: '/api/v1/requests',
      payload: { company: 'nestit-group', type: 'portability', email: 'port@example.org', sendCode: false },
      headers: { ...s.origin, 'idempotency-key': crypto.randomUUID() },
    });
    const id = filed.json().requests[0].id;
    const content = JSON.stringify({ email: 'port@example.org', orders: [{ id: 'A-1', total: 499 }] });
    const res = await s.server.inject({
      method: 'POST',
      url: `/api/v1/requests/${id}/results`,
      payload: {
        filename: 'export.json',
        contentType: 'application/json',
        contentBase64: Buffer.from(content).toString('base64'),
        days: 7,
      },
      headers: s.origin,
    });
    expect(res.statusCode).toBe(201);
    const { url } = res.json();
    expect(url).not.toContain('example.org');
    const path = new URL(url).pathname;

    const stored = await s.app.db.query<{ ciphertext: string }>(
      'SELECT ciphertext FROM dsr_deliveries WHERE request_id = $1',
      [id],
    );
    expect(Buffer.from(stored[0]!.ciphertext, 'base64').toString('utf8')).not.toContain('port@example.org');

    const dl = await s.server.inject({ method: 'GET', url: path });
    expect(dl.statusCode).toBe(200);
    expect(dl.body).toBe(content);
    expect(dl.headers['content-disposition']).toContain('export.json');

    const tampered = await s.server.inject({ method: 'GET', url: `${path.slice(0, -3)}abc` });
    expect(tampered.statusCode).toBe(410);
    expect(tampered.headers['content-type']).toContain('application/problem+json');

    clock = new Date(Date.now() + 8 * 86_400_000);
    const expired = await s.server.inject({ method: 'GET', url: path });
    expect(expired.statusCode).toBe(410);
    expect(await purgeExpiredResults(s.app)).toBe(1);
    const after = await s.app.db.query<{ ciphertext: string; deleted_at: Date | null }>(
      'SELECT ciphertext, deleted_at FROM dsr_deliveries WHERE request_id = $1',
      [id],
    );
    expect(after[0]!.ciphertext).toBe('');
    expect(after[0]!.deleted_at).not.toBeNull();
    clock = undefined;
  });
});
