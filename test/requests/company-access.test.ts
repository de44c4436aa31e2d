/**
 * P21: a user whose roles are at Provendo only sees and changes Provendo's requests and mail, never
 * NestIT Sverige's or the whole group's; over real rows (a request at each company and one to the whole
 * group, their verification mails in the outbox and the demo inbox). The expected answers are written by
 * hand below, not computed with `can()`. The same users still do Provendo's work.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Role } from '../../src/core/policies/permissions.ts';
import { type MailCatcher, startMailCatcher } from '../../src/services/mail/catcher.ts';
import { describeEachDatabase } from '../support/db.ts';
import { userWithRoles } from '../security/helpers.ts';
import { type DeskServer, startDesk } from './support.ts';
import { postForm } from '../support/http.ts';

const OWN_EMAIL = 'prov.kund@example.org'; // masked p***d@example.org
const OTHER_EMAIL = 'sverige.kund@example.org'; // masked s***d@example.org
const GROUP_EMAIL = 'grupp.kund@example.org'; // masked g***d@example.org
/** The demo group's companies; a request to the whole group may go to each of them. */
const ALL_ORGS = ['nestit-group', 'nestit-sverige', 'bokhylla', 'provendo'];
const CANDIDATES = ['bokhylla', 'nestit-group', 'nestit-sverige', 'provendo'];

const ROLES: Role[] = ['cs-agent', 'dpo', 'privacy-agent', 'auditor'];
/** Which Provendo-only role may change requests at all (the route's declared requests:write). */
const WRITES: Record<Role, boolean> = {
  'cs-agent': true,
  dpo: true,
  'privacy-agent': true,
  auditor: false,
  engineer: false,
};

describeEachDatabase('P21 requests and mail per company', (kind) => {
  let s: DeskServer;
  let catcher: MailCatcher;
  const ids = { own: '', other: '', group: '' };
  const users = {} as Record<Role | 'all' | 'allButOne' | 'mixed', { cookie: string }>;
  let key = '';

  const as = (cookie: string) => ({ cookie, origin: 'http://localhost', host: 'localhost' });
  const get = (cookie: string, url: string) => s.server.inject({ method: 'GET', url, headers: as(cookie) });
  const form = (cookie: string, url: string, fields: Record<string, string>) =>
    postForm(s.server, url, fields, as(cookie));
  const api = (headers: Record<string, string>, url: string, payload: object) =>
    s.server.inject({
      method: 'POST',
      url,
      payload,
      headers: { ...headers, 'idempotency-key': crypto.randomUUID() },
    });
  const fileAsOwner = async (company: string, email: string) => {
    const res = await api(s.origin, '/api/v1/requests', { company, type: 'access', email, lang: 'sv' });
    expect(res.statusCode).toBe(201);
    return res.json().requests[0].id as string;
  };

  /** What must not change when another company's row is probed. */
  const snapshot = async () => ({
    other: await s.app.db.query(
      'SELECT state, assignee, verified_at, verification_method, decision FROM dsr_requests WHERE id = $1',
      [ids.other],
    ),
    events: await s.app.db.query(
      'SELECT count(*)::int AS n FROM dsr_events WHERE request_id = ANY($1::uuid[])',
      [[ids.other, ids.group]],
    ),
    requests: await s.app.db.query(
      "SELECT count(*)::int AS n FROM dsr_requests WHERE org_id <> 'provendo' OR scope->'group' IS NOT NULL",
    ),
    submissions: await s.app.db.query('SELECT count(*)::int AS n FROM dsr_submissions'),
    mail: await s.app.db.query('SELECT count(*)::int AS n FROM mail_outbox'),
    deliveries: await s.app.db.query('SELECT count(*)::int AS n FROM dsr_deliveries'),
  });

  beforeAll(async () => {
    s = await startDesk({ kind });
    // The demo's inbox: mail goes over SMTP to the catcher, which files it under the outbox row's company.
    catcher = await startMailCatcher(s.app.db, { port: 0 });
    s.configure({ smtpUrl: catcher.url });
    ids.own = await fileAsOwner('provendo', OWN_EMAIL);
    ids.other = await fileAsOwner('nestit-sverige', OTHER_EMAIL);
    ids.group = await fileAsOwner('group', GROUP_EMAIL);
    for (const role of ROLES)
      users[role] = await userWithRoles(s.app, s.server, `p21-${role}-${kind}`, [
        { orgId: 'provendo', role },
      ]);
    users.all = await userWithRoles(
      s.app,
      s.server,
      `p21-all-${kind}`,
      ALL_ORGS.map((orgId) => ({ orgId, role: 'privacy-agent' as const })),
    );
    users.allButOne = await userWithRoles(
      s.app,
      s.server,
      `p21-four-${kind}`,
      ALL_ORGS.filter((o) => o !== 'bokhylla').map((orgId) => ({
        orgId,
        role: 'privacy-agent' as const,
      })),
    );
    users.mixed = await userWithRoles(s.app, s.server, `p21-mixed-${kind}`, [
      { orgId: 'bokhylla', role: 'cs-agent' },
      { orgId: 'provendo', role: 'auditor' },
    ]);
    const k = await s.server.inject({
      method: 'POST',
      url: '/api/v1/apikeys',
      headers: s.origin,
      payload: {
        name: 'provendo desk tool',
        orgIds: ['provendo'],
        permissions: ['requests:read', 'requests:write'],
      },
    });
    expect(k.statusCode).toBe(201);
    key = k.json().key;
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    await catcher?.close();
  });

  test('P21 the rows are real: one request per company, a group request over every company, their mail filed by company', async () => {
    const [g] = await s.app.db.query<{ org_id: string; scope: { group?: { candidates: string[] } } }>(
      'SELECT org_id, scope FROM dsr_requests WHERE id = $1',
      [ids.group],
    );
    expect([...(g!.scope.group?.candidates ?? [])].sort()).toEqual(CANDIDATES);
    const byOrg = async (table: string) =>
      Object.fromEntries(
        (
          await s.app.db.query<{ org: string; n: number }>(
            `SELECT coalesce(org_id, '(group)') AS org, count(*)::int AS n FROM ${table} GROUP BY 1`,
          )
        ).map((r) => [r.org, r.n]),
      );
    // One verification-code mail each: Provendo's, NestIT Sverige's, and the group request's (the group's).
    expect(await byOrg('mail_outbox')).toEqual({ provendo: 1, 'nestit-sverige': 1, '(group)': 1 });
    expect(await byOrg('mail_catcher')).toEqual({ provendo: 1, 'nestit-sverige': 1, '(group)': 1 });
  });

  test('P21 lists (console queue, API) show a Provendo-only user of each role only Provendo rows', async () => {
    for (const role of ROLES) {
      const page = await get(users[role].cookie, '/console/requests');
      expect(page.statusCode, role).toBe(200);
      expect(page.body, role).toContain(`data-request="${ids.own}"`);
      expect(page.body, role).not.toContain(ids.other);
      expect(page.body, role).not.toContain(ids.group);
      // The company filter offers Provendo only.
      expect(page.body, role).not.toContain('<option value="nestit-sverige"');
      const filtered = await get(users[role].cookie, '/console/requests?company=nestit-sverige');
      expect(filtered.body, role).not.toContain(ids.other);

      const list = await get(users[role].cookie, '/api/v1/requests');
      expect(list.statusCode, role).toBe(200);
      const listed = list.json().requests.map((r: { id: string }) => r.id);
      expect(listed, role).toEqual([ids.own]);
      const asked = await get(users[role].cookie, '/api/v1/requests?company=nestit-sverige');
      expect(asked.json().requests, role).toEqual([]);
    }
  });

  test('P21 another company’s request and the group request: detail 404, actions 404 (403 for a read-only role), nothing changes', async () => {
    const before = await snapshot();
    // [probe, status per role: cs-agent, dpo, privacy-agent, auditor]
    const W = (n: number) => (role: Role) => (WRITES[role] ? n : 403);
    const probes: [string, (c: string) => ReturnType<typeof get>, (role: Role) => number][] = [
      ['console detail', (c) => get(c, `/console/requests/${ids.other}`), () => 404],
      ['console detail of the group request', (c) => get(c, `/console/requests/${ids.group}`), () => 404],
      ['API detail', (c) => get(c, `/api/v1/requests/${ids.other}`), () => 404],
      ['API fulfilment', (c) => get(c, `/api/v1/requests/${ids.other}/fulfilment`), () => 404],
      [
        'console verify-manual',
        (c) =>
          form(c, `/console/requests/${ids.other}/action`, {
            action: 'verify-manual',
            note: 'ID seen: passport',
          }),
        W(404),
      ],
      [
        'console note',
        (c) => form(c, `/console/requests/${ids.other}/action`, { action: 'note', note: 'a note' }),
        W(404),
      ],
      [
        'console assign',
        (c) =>
          form(c, `/console/requests/${ids.other}/action`, { action: 'assign', assignee: 'me@x.example' }),
        W(404),
      ],
      [
        'console no-data on the group request',
        (c) =>
          form(c, `/console/requests/${ids.group}/action`, {
            action: 'no-data',
            note: 'checked every system',
          }),
        W(404),
      ],
      ['API note', (c) => api(as(c), `/api/v1/requests/${ids.other}/notes`, { note: 'a note' }), W(404)],
      [
        'API verify-manual',
        (c) => api(as(c), `/api/v1/requests/${ids.other}/verify-manual`, { note: 'ID seen: passport' }),
        W(404),
      ],
      [
        'API result file',
        (c) =>
          api(as(c), `/api/v1/requests/${ids.other}/results`, { filename: 'x.json', contentBase64: 'e30=' }),
        W(404),
      ],
      [
        'API route the group request',
        (c) =>
          api(as(c), `/api/v1/requests/${ids.group}/route`, {
            orgIds: ['provendo'],
            note: 'found in the CRM',
          }),
        W(404),
      ],
    ];
    const unexpected: string[] = [];
    for (const role of ROLES)
      for (const [name, probe, want] of probes) {
        const res = await probe(users[role].cookie);
        if (res.statusCode !== want(role))
          unexpected.push(`${role} ${name}: ${res.statusCode}, expected ${want(role)}`);
        expect(res.body).not.toContain(OTHER_EMAIL);
        expect(res.body).not.toContain(GROUP_EMAIL);
      }
    expect(unexpected).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  test('P21 filing for another company or the whole group is refused (403) and sends no mail', async () => {
    const before = await snapshot();
    const caught = await s.app.db.query('SELECT count(*)::int AS n FROM mail_catcher');
    for (const role of ROLES) {
      for (const company of ['nestit-sverige', 'group']) {
        const viaConsole = await form(users[role].cookie, '/console/requests/new', {
          company,
          type: 'access',
          email: 'stranger@example.org',
          lang: 'en',
        });
        expect(viaConsole.statusCode, `${role} console ${company}`).toBe(403);
        const viaApi = await api(as(users[role].cookie), '/api/v1/requests', {
          company,
          type: 'access',
          email: 'stranger@example.org',
        });
        expect(viaApi.statusCode, `${role} API ${company}`).toBe(403);
      }
      // The form offers Provendo only (no other company, not the whole group); a read-only role has no form.
      const page = await get(users[role].cookie, '/console/requests/new');
      if (!WRITES[role]) {
        expect(page.statusCode, role).toBe(403);
        continue;
      }
      expect(page.statusCode, role).toBe(200);
      const options = [...page.body.matchAll(/<select id="company"[^>]*>([\s\S]*?)<\/select>/g)][0]![1]!;
      expect(
        [...options.matchAll(/value="([^"]+)"/g)].map((m) => m[1]),
        role,
      ).toEqual(['provendo']);
    }
    expect(await snapshot()).toEqual(before);
    expect(await s.app.db.query('SELECT count(*)::int AS n FROM mail_catcher')).toEqual(caught);
    expect(
      await s.app.db.query("SELECT 1 FROM mail_outbox WHERE to_address = 'stranger@example.org'"),
    ).toEqual([]);
  });

  test('P21 the outbox and the demo inbox show a Provendo-only user only Provendo’s mail', async () => {
    for (const role of ROLES) {
      const outbox = await get(users[role].cookie, '/console/outbox');
      expect(outbox.statusCode, role).toBe(200);
      expect(outbox.body, role).toContain(OWN_EMAIL);
      expect(outbox.body, role).not.toContain(OTHER_EMAIL);
      expect(outbox.body, role).not.toContain(GROUP_EMAIL);
      expect(outbox.body, role).not.toContain(ids.other);
      const inbox = await get(users[role].cookie, '/console/inbox');
      expect(inbox.statusCode, role).toBe(200);
      expect(inbox.body, role).toContain('p***d@example.org');
      expect(inbox.body, role).not.toContain('s***d@example.org');
      expect(inbox.body, role).not.toContain('g***d@example.org');
      expect([...inbox.body.matchAll(/data-mail="/g)].length, role).toBe(1);
    }
  });

  test('P21 a group request and the group’s mail need the role in every company', async () => {
    const all = users.all.cookie;
    const four = users.allButOne.cookie;
    const listed = async (c: string) =>
      (await get(c, '/api/v1/requests'))
        .json()
        .requests.map((r: { id: string }) => r.id)
        .sort();
    expect(await listed(all)).toEqual([ids.own, ids.other, ids.group].sort());
    expect(await listed(four)).toEqual([ids.own, ids.other].sort());
    expect((await get(all, `/console/requests/${ids.group}`)).statusCode).toBe(200);
    expect((await get(four, `/console/requests/${ids.group}`)).statusCode).toBe(404);
    expect((await get(four, `/console/requests/${ids.other}`)).statusCode).toBe(200);
    const queue = await get(four, '/console/requests');
    expect(queue.body).toContain(ids.other);
    expect(queue.body).not.toContain(ids.group);
    const allOutbox = await get(all, '/console/outbox');
    expect(allOutbox.body).toContain(GROUP_EMAIL);
    const fourOutbox = await get(four, '/console/outbox');
    expect(fourOutbox.body).toContain(OTHER_EMAIL);
    expect(fourOutbox.body).not.toContain(GROUP_EMAIL);
    expect((await get(all, '/console/inbox')).body).toContain('g***d@example.org');
    expect((await get(four, '/console/inbox')).body).not.toContain('g***d@example.org');
    // Filing to the whole group: only the one with the role everywhere sees the option.
    expect((await get(all, '/console/requests/new')).body).toContain('<option value="group">');
    expect((await get(four, '/console/requests/new')).body).not.toContain('<option value="group">');
    const refused = await api(as(four), '/api/v1/requests', {
      company: 'group',
      type: 'access',
      email: 'stranger@example.org',
    });
    expect(refused.statusCode).toBe(403);
  });

  test('P21 a Provendo-only API key lists, reads and files for Provendo only', async () => {
    const bearer = { authorization: `Bearer ${key}` };
    const list = await s.server.inject({ method: 'GET', url: '/api/v1/requests', headers: bearer });
    expect(list.statusCode).toBe(200);
    expect(list.json().requests.map((r: { id: string }) => r.id)).toContain(ids.own);
    expect(list.json().requests.map((r: { org_id?: string; orgId: string }) => r.orgId)).not.toContain(
      'nestit-sverige',
    );
    expect(
      (await s.server.inject({ method: 'GET', url: `/api/v1/requests/${ids.other}`, headers: bearer }))
        .statusCode,
    ).toBe(404);
    expect(
      (await s.server.inject({ method: 'GET', url: `/api/v1/requests/${ids.group}`, headers: bearer }))
        .statusCode,
    ).toBe(404);
    expect((await api(bearer, `/api/v1/requests/${ids.other}/notes`, { note: 'x' })).statusCode).toBe(404);
    for (const company of ['nestit-sverige', 'group'])
      expect(
        (
          await api(bearer, '/api/v1/requests', {
            company,
            type: 'access',
            email: 'k@example.org',
            sendCode: false,
          })
        ).statusCode,
      ).toBe(403);
    const own = await api(bearer, '/api/v1/requests', {
      company: 'provendo',
      type: 'access',
      email: 'k@example.org',
      sendCode: false,
    });
    expect(own.statusCode).toBe(201);
  });

  test('P21 a role that may read Provendo’s requests but change only Bokhylla’s gets 403 on Provendo’s and changes nothing', async () => {
    const c = users.mixed.cookie;
    const page = await get(c, `/console/requests/${ids.own}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="read-only"');
    const events = await s.app.db.query('SELECT count(*)::int AS n FROM dsr_events WHERE request_id = $1', [
      ids.own,
    ]);
    expect(
      (await form(c, `/console/requests/${ids.own}/action`, { action: 'note', note: 'x' })).statusCode,
    ).toBe(403);
    expect((await api(as(c), `/api/v1/requests/${ids.own}/notes`, { note: 'x' })).statusCode).toBe(403);
    expect((await get(c, `/console/requests/${ids.other}`)).statusCode).toBe(404);
    expect(
      await s.app.db.query('SELECT count(*)::int AS n FROM dsr_events WHERE request_id = $1', [ids.own]),
    ).toEqual(events);
  });

  test('P21 the same Provendo-only users still do Provendo’s work', async () => {
    for (const role of ROLES) {
      const c = users[role].cookie;
      const page = await get(c, `/console/requests/${ids.own}`);
      expect(page.statusCode, role).toBe(200);
      expect(page.body, role).toContain(OWN_EMAIL);
      expect((await get(c, `/api/v1/requests/${ids.own}`)).statusCode, role).toBe(200);
      const note = await form(c, `/console/requests/${ids.own}/action`, {
        action: 'note',
        note: `note by ${role}`,
      });
      expect(note.statusCode, role).toBe(WRITES[role] ? 303 : 403);
      const filed = await form(c, '/console/requests/new', {
        company: 'provendo',
        type: 'access',
        email: `letter.${role}@example.org`,
        lang: 'en',
      });
      expect(filed.statusCode, role).toBe(WRITES[role] ? 303 : 403);
    }
    const verify = await form(users['cs-agent'].cookie, `/console/requests/${ids.own}/action`, {
      action: 'verify-manual',
      note: 'ID seen: Norwegian passport, name matches',
    });
    expect(verify.statusCode).toBe(303);
    const [row] = await s.app.db.query<{ state: string }>('SELECT state FROM dsr_requests WHERE id = $1', [
      ids.own,
    ]);
    expect(row!.state).toBe('verified');
    const notes = await s.app.db.query<{ note: string }>(
      "SELECT note FROM dsr_events WHERE request_id = $1 AND kind = 'note' ORDER BY id",
      [ids.own],
    );
    expect(notes.map((n) => n.note)).toEqual(['note by cs-agent', 'note by dpo', 'note by privacy-agent']);
    // The acknowledgement went to Provendo's customer and shows in Provendo's outbox.
    const outbox = await get(users.dpo.cookie, '/console/outbox');
    expect(outbox.body).toContain('acknowledgement');
  });
});
