/**
 * The desk at volume (issue 16 item 5), over real rows on PGlite: the charts count each request once (a
 * split group request through its companies' requests, apart as a group request), so "by type" and "by
 * state" add up to the same; and the queue pages by keyset: 120 requests of one company, 50 a page, the
 * next-page links followed to the end, every request once. Expected counts are written by hand.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deskStats } from '../../src/services/requests/listRequests.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ALL = ['nestit-group', 'nestit-sverige', 'bokhylla', 'provendo'];

describe('the desk at volume', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  }, 60_000);
  afterAll(async () => t?.close());

  const get = (url: string) => t.server.inject({ method: 'GET', url, headers: { cookie: t.cookie } });
  let n = 0;
  const sub = async (scope: string) => {
    const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    await t.app.db.query(
      `INSERT INTO dsr_submissions (id, channel, email, email_hash, scope) VALUES ($1, 'api', 'x@example.org', 'h', $2)`,
      [id, scope],
    );
    return id;
  };
  const request = async (
    id: string,
    r: { sub: string; org: string; type: string; state: string; closed?: string; scope?: object },
  ) =>
    t.app.db.query(
      `INSERT INTO dsr_requests (id, submission_id, org_id, type, state, scope, received_at, due_date,
         original_due_date, legal_due_date, max_due_date, closed_at)
       VALUES ($1, $2, $3, $4, $5, $6, '2026-03-02T09:00:00Z', '2026-04-02', '2026-04-02', '2026-04-02', '2026-06-02', $7)`,
      [id, r.sub, r.org, r.type, r.state, JSON.stringify(r.scope ?? {}), r.closed ?? null],
    );

  test('P32 the charts count each request once: a split group request through its companies’ requests', async () => {
    const one = await sub('nestit-sverige');
    const grp = await sub('group');
    const P = 'a0000000-0000-4000-8000-000000000001';
    const C1 = 'a0000000-0000-4000-8000-000000000002';
    const C2 = 'a0000000-0000-4000-8000-000000000003';
    await request('b0000000-0000-4000-8000-000000000001', {
      sub: one,
      org: 'nestit-sverige',
      type: 'access',
      state: 'completed',
      closed: '2026-03-12T09:00:00Z',
    });
    await request('b0000000-0000-4000-8000-000000000002', {
      sub: one,
      org: 'nestit-sverige',
      type: 'erasure',
      state: 'in-progress',
    });
    await request('b0000000-0000-4000-8000-000000000003', {
      sub: one,
      org: 'provendo',
      type: 'objection',
      state: 'refused',
      closed: '2026-03-22T09:00:00Z',
    });
    // A group erasure split into two companies' requests: one verified, one completed.
    await request(P, {
      sub: grp,
      org: 'nestit-group',
      type: 'erasure',
      state: 'split',
      closed: '2026-03-02T10:00:00Z',
      scope: { group: { candidates: ALL }, linked: [C1, C2] },
    });
    await request(C1, {
      sub: grp,
      org: 'bokhylla',
      type: 'erasure',
      state: 'verified',
      scope: { parent: P },
    });
    await request(C2, {
      sub: grp,
      org: 'provendo',
      type: 'erasure',
      state: 'completed',
      closed: '2026-04-01T09:00:00Z',
      scope: { parent: P },
    });

    const stats = await deskStats(t.app, 'all');
    // Five requests, counted once each; the group request apart.
    expect(stats.byType).toEqual({ access: 1, erasure: 3, objection: 1 });
    expect(stats.byState).toEqual({ completed: 2, 'in-progress': 1, refused: 1, verified: 1 });
    expect(stats.groupRequests).toBe(1);
    // Closed: the access (10 days), the objection (20 days), the group's Provendo erasure (30 days); all on time.
    expect(stats).toMatchObject({ closed: 3, closedOnTime: 3, onTimeRate: 1, medianDaysToClose: 20 });
    // Provendo alone: its objection and its part of the group erasure.
    expect((await deskStats(t.app, ['provendo'])).byType).toEqual({ erasure: 1, objection: 1 });

    const page = (await get('/console/requests')).body;
    expect(page).toContain('Group requests sent on to the companies: 1');
    await t.app.db.query('DELETE FROM dsr_requests');
  });

  test('the queue pages by keyset: 120 requests, 50 a page, each shown once in due order', async () => {
    const s = await sub('bokhylla');
    // 120 requests: due on one of 7 days, received at one of 3 hours, so many share both (the id breaks ties).
    await t.app.db.query(
      `INSERT INTO dsr_requests (id, submission_id, org_id, type, state, received_at, due_date,
         original_due_date, legal_due_date, max_due_date)
       SELECT md5('desk' || i)::uuid, $1, 'bokhylla', 'access', 'verified',
              timestamptz '2026-03-01T10:00:00Z' + (i % 3) * interval '1 hour',
              date '2026-04-01' + (i % 7), date '2026-04-01', date '2026-04-01', date '2026-06-01'
         FROM generate_series(1, 120) AS i`,
      [s],
    );
    const pages: string[][] = [];
    let url: string | undefined = '/console/requests?company=bokhylla';
    while (url) {
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      pages.push([...res.body.matchAll(/data-request="([0-9a-f-]{36})"/g)].map((m) => m[1]!));
      const next = /<a href="([^"]+)" id="next-page"/.exec(res.body)?.[1];
      url = next?.replaceAll('&amp;', '&');
      if (pages.length > 1) expect(res.body).toContain('id="first-page"');
      // The filter stays on every page.
      if (next) expect(next).toContain('company=bokhylla');
    }
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    const all = pages.flat();
    expect(new Set(all).size).toBe(120);
    const [{ n: stored }] = (await t.app.db.query<{ n: string | number }>(
      "SELECT count(*) AS n FROM dsr_requests WHERE org_id = 'bokhylla'",
    )) as [{ n: string | number }];
    expect(Number(stored)).toBe(120);
    // In due order: the first page holds the 17 due on 1 April (i % 7 = 0: 7, 14, …, 119) first, then those due on the 2nd.
    const due = await t.app.db.query<{ id: string; due: string }>(
      `SELECT id::text AS id, due_date::text AS due FROM dsr_requests WHERE id = ANY($1::uuid[])`,
      [pages[0]],
    );
    const dueOf = new Map(due.map((d) => [d.id, d.due]));
    expect(pages[0]!.slice(0, 17).every((id) => dueOf.get(id) === '2026-04-01')).toBe(true);
    expect(dueOf.get(pages[0]![17]!)).toBe('2026-04-02');
    // A cursor that is not ours is the first page, not an error.
    const bad = await get('/console/requests?company=bokhylla&after=not-a-cursor');
    expect(bad.statusCode).toBe(200);
    expect([...bad.body.matchAll(/data-request="([0-9a-f-]{36})"/g)].map((m) => m[1])).toEqual(pages[0]);
  });
});
