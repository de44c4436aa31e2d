/**
 * The API's "done for these N" (issue 16, item 1): POST /api/v1/fulfilment/tasks/answers ticks off several
 * manual tasks with one note, each answered and audited on its own, and answers with each task as stored.
 * A batch holding one task of a company the caller may not answer in is refused whole (404, nothing
 * changes), as is one naming a task that does not exist; a bad body gets a problem naming the field; the
 * batch has one audit entry of its own besides each task's. Expectations are written by hand.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { notifyRecipient } from '../../src/services/fulfilment/recipients.ts';
import { type DeskApi, deskApi } from '../integration/support.ts';
import { FOUR, groupOfFour } from '../requests/groupSupport.ts';
import { type DeskServer, startDesk } from '../requests/support.ts';
import { SAME_ORIGIN, userWithRoles } from '../security/helpers.ts';

describe('ticking off several tasks through the API', () => {
  let s: DeskServer;
  let d: DeskApi;
  let children: Record<string, string>;
  beforeAll(async () => {
    s = await startDesk({ fulfilment: 'embedded' });
    d = await deskApi(s);
    const g = await groupOfFour(d, 'nils.berg@example.org');
    children = g.children;
    expect((await d.api('POST', `/api/v1/requests/${g.parent}/group/approve`, {})).statusCode).toBe(200);
    for (const org of FOUR) {
      await d.waitForState(children[org]!, 'completed');
      await notifyRecipient(
        s.app.db,
        { callbackBaseUrl: 'http://localhost' },
        {
          requestId: children[org]!,
          orgId: org,
          action: 'erasure',
          systemId: 'shipping',
          identities: {},
          now: s.app.now(),
        },
      );
    }
  }, 180_000);
  afterAll(async () => s?.close());

  const answers = (body: unknown, cookie?: string) =>
    s.server.inject({
      method: 'POST',
      url: '/api/v1/fulfilment/tasks/answers',
      payload: JSON.stringify(body),
      headers: {
        ...s.origin,
        ...(cookie ? { cookie, ...SAME_ORIGIN } : {}),
        'content-type': 'application/json',
      },
    });
  const openShipping = async () =>
    (
      await s.app.db.query<{ n: string | number }>(
        `SELECT count(*) AS n FROM fulfilment_recipient_tasks WHERE system_id = 'shipping' AND status = 'open'`,
      )
    )[0]!.n;

  test('a bad body is a problem naming the field; nothing changes', async () => {
    const empty = await answers({ tasks: [], note: 'Done' });
    expect(empty.statusCode).toBe(400);
    expect(empty.headers['content-type']).toContain('application/problem+json');
    expect(JSON.stringify(empty.json())).toContain('tasks');
    const noNote = await answers({
      tasks: [{ requestId: children.provendo, systemId: 'shipping' }],
      note: ' ',
    });
    expect(noNote.statusCode).toBe(400);
    expect(JSON.stringify(noNote.json())).toContain('note');
    expect(Number(await openShipping())).toBe(4);
  });

  test("a batch with another company's task is refused whole", async () => {
    const { cookie } = await userWithRoles(s.app, s.server, 'provendo-agent-api', [
      { orgId: 'provendo', role: 'privacy-agent' },
    ]);
    const res = await answers(
      {
        tasks: [
          { requestId: children.provendo, systemId: 'shipping' },
          { requestId: children.bokhylla, systemId: 'shipping' },
        ],
        note: 'Both done',
      },
      cookie,
    );
    expect(res.statusCode).toBe(404);
    expect(Number(await openShipping())).toBe(4);
  });

  test('a batch naming a task that does not exist is refused whole (404), nothing changes', async () => {
    const res = await answers({
      tasks: [
        { requestId: children.provendo, systemId: 'shipping' },
        { requestId: children.bokhylla, systemId: 'no-such-system' },
      ],
      note: 'Both done',
    });
    expect(res.statusCode).toBe(404);
    expect(Number(await openShipping())).toBe(4);
  });

  test('one note ticks off the four shipping tasks; each comes back as stored and is audited', async () => {
    const res = await answers({
      tasks: FOUR.map((org) => ({ requestId: children[org], systemId: 'shipping' })),
      note: 'Cancelled in the carrier portal, batch 18',
    });
    expect(res.statusCode, res.body).toBe(200);
    const { answered } = res.json() as {
      answered: { requestId: string; systemId: string; status: string; note: string; doneBy: string }[];
    };
    expect(answered.map((a) => a.requestId)).toEqual(FOUR.map((org) => children[org]));
    for (const a of answered) {
      expect(a.systemId).toBe('shipping');
      expect(a.status).toBe('done');
      expect(a.note).toBe('Cancelled in the carrier portal, batch 18');
      expect(a.doneBy).toMatch(/^user:/);
    }
    expect(Number(await openShipping())).toBe(0);
    const audited = await s.app.db.query<{ target: string }>(
      `SELECT target FROM audit_log WHERE action = 'fulfilment.recipient.answered' AND details->>'system' = 'shipping'`,
    );
    expect(audited.map((a) => a.target).sort()).toEqual(FOUR.map((o) => `request:${children[o]}`).sort());
    // One entry for the batch: the tasks in the order given, all four changed.
    const batch = await s.app.db.query<{ details: { tasks: string[]; status: string; changed: number } }>(
      `SELECT details FROM audit_log WHERE action = 'fulfilment.tasks.answered'`,
    );
    expect(batch.map((b) => b.details)).toEqual([
      { tasks: FOUR.map((o) => `${children[o]}/shipping`), status: 'done', changed: 4 },
    ]);
  });
});
