/**
 * A group request decided in one step (issue 16 item 1): a group erasure known at all four companies is
 * split into four company requests; one extension from the console form on the group request's page
 * extends all four and one approval (API) approves all four, each recorded on its own request (timeline
 * and audit entry per company) plus one entry on the group request. A person who may decide in three companies
 * but only read in the fourth is refused with that company named, and nothing is decided. Expectations
 * are written by hand.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DeskApi, deskApi } from '../integration/support.ts';
import { postForm } from '../support/http.ts';
import { userWithRoles } from '../security/helpers.ts';
import { FOUR as ALL, groupOfFour } from './groupSupport.ts';
import { type DeskServer, startDesk } from './support.ts';

describe('a group request decided for every company at once', () => {
  let s: DeskServer;
  let d: DeskApi;
  let parent: string;
  let children: Record<string, string>;
  beforeAll(async () => {
    s = await startDesk({ fulfilment: 'embedded' });
    d = await deskApi(s);
    ({ parent, children } = await groupOfFour(d, 'four.companies@example.org'));
  }, 120_000);
  afterAll(async () => s?.close());

  const audit = (target: string, action: string) =>
    s.app.db.query<{ actor: string; details: Record<string, unknown> }>(
      'SELECT actor, details FROM audit_log WHERE target = $1 AND action = $2 ORDER BY seq',
      [target, action],
    );
  const kinds = async (id: string) =>
    (await d.api('GET', `/api/v1/requests/${id}`)).json().timeline.map((e: { kind: string }) => e.kind);

  test('a person without requests:write in one company is refused, the company named, and nothing is decided', async () => {
    const { cookie } = await userWithRoles(s.app, s.server, 'three-of-four', [
      { orgId: 'nestit-group', role: 'dpo' },
      { orgId: 'nestit-sverige', role: 'dpo' },
      { orgId: 'bokhylla', role: 'dpo' },
      { orgId: 'provendo', role: 'auditor' },
    ]);
    const headers = { ...s.origin, cookie };
    const res = await s.server.inject({
      method: 'POST',
      url: `/api/v1/requests/${parent}/group/approve`,
      payload: {},
      headers,
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('group-partly-forbidden');
    expect(res.json().detail).toContain('You may not decide requests at provendo; nothing was decided.');
    for (const id of Object.values(children)) expect(await kinds(id)).not.toContain('approved');
    expect(await audit(parent, 'request.group.approve')).toEqual([]);

    // The console form answers the same, above the form on the group request's page.
    const form = await postForm(
      s.server,
      `/console/requests/${parent}/action`,
      { action: 'group-extend', reason: 'Four companies to search.' },
      headers,
    );
    expect(form.statusCode).toBe(403);
    expect(form.body).toContain('You may not decide requests at provendo');
    for (const id of Object.values(children)) expect(await kinds(id)).not.toContain('extended');
  });

  test('the group request page offers the decisions; one extension from the console extends all four', async () => {
    const page = await s.server.inject({
      method: 'GET',
      url: `/console/requests/${parent}`,
      headers: s.origin,
    });
    expect(page.body).toContain('Decide for every company');
    expect(page.body).toMatch(/<tr data-company="provendo"><td>Provendo AS<\/td>/);
    const res = await postForm(
      s.server,
      `/console/requests/${parent}/action`,
      { action: 'group-extend', reason: 'Four companies and their systems to search.' },
      s.origin,
    );
    expect(res.statusCode, res.body).toBe(303);
    for (const org of ALL) {
      const id = children[org]!;
      const r = (await d.api('GET', `/api/v1/requests/${id}`)).json();
      // Each is still open: not yet approved.
      expect(r.request.state, org).toBe('extended');
      expect(
        r.timeline.map((e: { kind: string }) => e.kind),
        org,
      ).toContain('extended');
      expect(await audit(id, 'request.extended'), org).toHaveLength(1);
    }
    expect(await audit(parent, 'request.group.extend')).toHaveLength(1);
  });

  test('one approval approves the erasure at all four companies, each recorded on its own request', async () => {
    const res = await d.api('POST', `/api/v1/requests/${parent}/group/approve`, {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().request.id).toBe(parent);
    for (const org of ALL) {
      const id = children[org]!;
      expect(await kinds(id), org).toContain('approved');
      const entries = await audit(id, 'request.approved');
      expect(entries, org).toHaveLength(1);
    }
    const [group] = await audit(parent, 'request.group.approve');
    expect(group!.details.companies).toEqual(
      expect.arrayContaining(['bokhylla', 'nestit-group', 'nestit-sverige', 'provendo']),
    );
    expect((group!.details.requests as string[]).sort()).toEqual(Object.values(children).sort());
    // Approved once: a second approval of a company's request is refused (its run is queued).
    const again = await d.api('POST', `/api/v1/requests/${parent}/group/approve`, {});
    expect(again.statusCode).toBe(409);
  });

  test('a company request is not a group request (409)', async () => {
    const res = await d.api('POST', `/api/v1/requests/${children.bokhylla}/group/approve`, {});
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('not-a-group-request');
  });
});
