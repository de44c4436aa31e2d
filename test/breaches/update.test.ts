/**
 * Changing a breach after it was recorded (PATCH /api/v1/breaches/:id) on a real server with the embedded
 * demo systems: the facts learnt later stored, the audit entry naming the fields changed (never their
 * free-text values), the timeline line, a new window clearing the stored scope, and bad bodies answered
 * as problem+json naming the field; `ombud breach update` on a PostgreSQL server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SAME_ORIGIN } from '../security/helpers.ts';
import { TEST_AUDIT_KEYRING } from '../support/audit-keys.ts';
import { runOmbud } from '../support/cli.ts';
import { migratedServerDb } from '../support/db.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const clock = new Date('2026-11-25T09:00:00Z');
let ts: TestServer;
const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  ts.server.inject({
    method,
    url,
    headers: { cookie: ts.cookie, ...SAME_ORIGIN, accept: 'application/json' },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

beforeAll(async () => {
  ts = await startTestServer({ fulfilment: 'embedded', now: () => clock });
}, 120_000);
afterAll(async () => {
  await ts?.close();
});

const row = async (id: string) =>
  (
    await ts.app.db.query<{
      description: string;
      containment: string;
      measures: string;
      consequences: string;
      people: unknown;
      window_from: Date | string | null;
      scope: unknown;
      aware_at: Date | string;
    }>(
      'SELECT description, containment, measures, consequences, people, window_from, scope, aware_at FROM breaches WHERE id = $1',
      [id],
    )
  )[0]!;
const audits = (id: string) =>
  ts.app.db.query<{ action: string; details: Record<string, unknown> | string }>(
    'SELECT action, details FROM audit_log WHERE target = $1 ORDER BY seq',
    [`breach:${id}`],
  );
const details = (d: Record<string, unknown> | string) =>
  typeof d === 'string' ? (JSON.parse(d) as Record<string, unknown>) : d;

describe('a breach changed after it was recorded', () => {
  let id = '';
  const secret = 'the laptop of Ada Andersson, Storgatan 1';

  test('facts learnt later are stored; the audit names the fields, not their values; on the timeline', async () => {
    const aware = '2026-11-24T08:00:00.000Z';
    const created = await call('POST', '/api/v1/breaches', {
      title: 'Customer list on a stolen laptop',
      description: 'A laptop with an export of the web shop customers was stolen.',
      detectedAt: '2026-11-24T07:00:00Z',
      awareAt: aware,
      affected: [{ dataset: 'nestit_webshop', collection: 'customers' }],
    });
    expect(created.statusCode, created.body).toBe(201);
    id = created.json().id;
    expect((await call('POST', `/api/v1/breaches/${id}/scope`)).statusCode).toBe(200);

    const res = await call('PATCH', `/api/v1/breaches/${id}`, {
      description: `It was ${secret}.`,
      containment: 'The laptop was wiped remotely at 10:15.',
      measures: 'Exports are encrypted from now on.',
      people: [
        { name: 'Ines Incident', role: 'incident lead' },
        { name: 'Frida Forensic', role: 'forensic analyst' },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      description: `It was ${secret}.`,
      containment: 'The laptop was wiped remotely at 10:15.',
      measures: 'Exports are encrypted from now on.',
      consequences: '',
    });
    const stored = await row(id);
    expect(stored.description).toBe(`It was ${secret}.`);
    expect(stored.containment).toBe('The laptop was wiped remotely at 10:15.');
    expect(stored.measures).toBe('Exports are encrypted from now on.');
    expect(stored.consequences).toBe('');
    expect(typeof stored.people === 'string' ? JSON.parse(stored.people) : stored.people).toEqual([
      { name: 'Ines Incident', role: 'incident lead' },
      { name: 'Frida Forensic', role: 'forensic analyst' },
    ]);
    // Awareness untouched, the scope kept (neither the window nor the collections changed).
    expect(new Date(stored.aware_at).toISOString()).toBe(aware);
    expect(stored.scope).not.toBeNull();

    const log = await audits(id);
    expect(log.map((a) => a.action)).toEqual(['breach.record', 'breach.scope', 'breach.update']);
    const entry = details(log[2]!.details);
    expect(entry).toMatchObject({
      reference: created.json().reference,
      fields: ['containment', 'description', 'measures', 'people'],
      scopeCleared: false,
    });
    const raw = JSON.stringify(entry);
    for (const value of [secret, 'wiped remotely', 'Frida Forensic']) expect(raw).not.toContain(value);

    const timeline = res.json().timeline as { kind: string; summary: string; actor: string }[];
    expect(timeline.map((e) => e.kind)).toEqual(['recorded', 'scoped', 'changed']);
    expect(timeline[2]!.summary).toBe('Changed: containment, description, measures, people');
    expect(timeline[2]!.actor).toBe(timeline[0]!.actor);
  });

  test('a new window clears the stored scope: the breach is scoped again', async () => {
    const res = await call('PATCH', `/api/v1/breaches/${id}`, {
      window: { from: '2026-11-01T00:00:00Z', to: '2026-11-24T08:00:00Z' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().scope).toBeNull();
    expect(res.json().window).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2026-11-24T08:00:00.000Z' });
    const stored = await row(id);
    expect(stored.scope).toBeNull();
    expect(new Date(stored.window_from!).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    const log = await audits(id);
    expect(details(log.at(-1)!.details)).toMatchObject({ fields: ['window'], scopeCleared: true });
    expect(res.json().timeline.at(-1).summary).toBe(
      'Changed: window; the scope was cleared (the window or the collections changed): scope it again',
    );
    // Drafting needs the scope again.
    const drafted = await call('POST', `/api/v1/breaches/${id}/notifications`, {});
    expect(drafted.statusCode).toBe(409);
    expect(drafted.json().code).toBe('breach-not-scoped');
  });

  test('bad bodies: problem+json naming the field; nothing changes', async () => {
    const before = await row(id);
    const empty = await call('PATCH', `/api/v1/breaches/${id}`, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.headers['content-type']).toContain('application/problem+json');
    expect(empty.json().errors).toEqual([{ path: 'body', message: 'change at least one field' }]);

    const badPerson = await call('PATCH', `/api/v1/breaches/${id}`, {
      people: [{ name: '', role: 'incident lead' }],
    });
    expect(badPerson.statusCode).toBe(400);
    expect(badPerson.headers['content-type']).toContain('application/problem+json');
    expect(badPerson.json().errors.map((e: { path: string }) => e.path)).toEqual(['body.people.0.name']);

    // Awareness is not a field that changes (the clock runs from it).
    const aware = await call('PATCH', `/api/v1/breaches/${id}`, { awareAt: '2026-11-24T20:00:00Z' });
    expect(aware.statusCode).toBe(400);

    const backwards = await call('PATCH', `/api/v1/breaches/${id}`, {
      window: { from: '2026-11-24T00:00:00Z', to: '2026-11-01T00:00:00Z' },
    });
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json().errors.map((e: { path: string }) => e.path)).toEqual(['window.to']);

    expect(await row(id)).toEqual(before);
    const unknown = await call('PATCH', '/api/v1/breaches/00000000-0000-4000-8000-000000000000', {
      measures: 'x',
    });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('ombud breach update', () => {
  test('changes a breach by its reference from a JSON file; a bad field named with its path, exit 1', async () => {
    const server = await migratedServerDb('ombud_breach_cli', 2);
    const dir = mkdtempSync(join(tmpdir(), 'ombud-breach-cli-'));
    const env = {
      DATABASE_URL: server.url,
      OMBUD_SECRET_KEYS: TEST_AUDIT_KEYRING,
      OMBUD_DATA_DIR: dir,
      OMBUD_SECRET: undefined,
      SMTP_URL: undefined,
      USER: 'cli-test',
    };
    try {
      expect((await runOmbud(['register', 'apply', 'examples/nestit/register'], { env })).code).toBe(0);
      const file = (name: string, body: unknown) => {
        writeFileSync(join(dir, name), JSON.stringify(body));
        return join(dir, name);
      };
      const recorded = await runOmbud(
        [
          'breach',
          'record',
          '--json',
          '--file',
          file('b.json', {
            title: 'Stolen laptop',
            description: 'A laptop with a customer export was stolen.',
            detectedAt: '2026-11-24T07:00:00Z',
            awareAt: '2026-11-24T08:00:00Z',
            affected: [{ dataset: 'nestit_webshop', collection: 'customers' }],
          }),
        ],
        { env },
      );
      expect(recorded.code, recorded.stderr).toBe(0);
      const { id, reference } = JSON.parse(recorded.stdout);
      const changed = await runOmbud(
        [
          'breach',
          'update',
          reference,
          '--json',
          '--file',
          file('c.json', { containment: 'Wiped remotely.', people: [{ name: 'Ines', role: 'lead' }] }),
        ],
        { env },
      );
      expect(changed.code, changed.stderr).toBe(0);
      expect(JSON.parse(changed.stdout)).toEqual({
        id,
        reference,
        changed: ['containment', 'people'],
        scopeCleared: false,
      });
      const [row] = await server.db.query<{ containment: string }>(
        'SELECT containment FROM breaches WHERE id = $1',
        [id],
      );
      expect(row!.containment).toBe('Wiped remotely.');
      const bad = await runOmbud(
        ['breach', 'update', reference, '--file', file('bad.json', { people: [{ name: '', role: 'lead' }] })],
        { env },
      );
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('people.0.name: ');
      expect(bad.stdout).toBe('');
    } finally {
      await server.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
