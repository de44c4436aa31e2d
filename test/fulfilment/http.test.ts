import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { runFulfilment } from '../../src/services/fulfilment/runFulfilment.ts';
import { type NestitSystems, nestitSystems, richCustomer } from '../support/nestit-systems.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser } from '../support/browser.ts';

let s: NestitSystems;
let t: TestServer;
let who: Awaited<ReturnType<typeof richCustomer>>;

beforeAll(async () => {
  s = await nestitSystems({ customers: 40 });
  t = await startTestServer();
  who = await richCustomer(s);
  const deps = {
    db: t.app.db,
    actor: SYSTEM_ACTOR,
    index: s.index,
    datasets: s.datasets,
    connectors: s.connectors,
    secret: 'k',
  };
  await runFulfilment(deps, {
    requestId: 'R-100',
    orgId: 'nestit-sverige',
    type: 'access',
    identities: { email: who.email },
  });
  await runFulfilment(deps, {
    requestId: 'R-101',
    orgId: 'nestit-sverige',
    type: 'erasure',
    identities: { email: who.email },
  });
});
afterAll(async () => {
  await t?.close();
  await s?.close();
});

describe('P25 fulfilment over HTTP', () => {
  test('P25 progress, the extract and the ZIP are served to the console, downloads audited', async () => {
    const get = (url: string) => t.server.inject({ method: 'GET', url, headers: { cookie: t.cookie } });
    const st = await get('/api/v1/fulfilment/R-101');
    expect(st.statusCode).toBe(200);
    expect(st.json()).toMatchObject({ status: 'done', stepsDone: 2, stepsTotal: 2, type: 'erasure' });
    const zip = await get('/api/v1/fulfilment/R-100/artifacts/portability.zip');
    expect(zip.statusCode).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(Object.keys(unzipSync(new Uint8Array(zip.rawPayload)))).toContain('data.json');
    const page = await get('/api/v1/fulfilment/R-100/artifacts/extract.html');
    expect(page.body).toContain('Your rights');
    const audit = await t.app.db.query<{ details: { artifact: string } }>(
      "SELECT details FROM audit_log WHERE action = 'fulfilment.artifact.read'",
    );
    expect(audit.map((a) => a.details.artifact).sort()).toEqual(['extract.html', 'portability.zip']);
    // Client mistakes get problem documents, not 500s; no session, no data.
    const bad = await get('/api/v1/fulfilment/R-100/artifacts/secrets.txt');
    expect(bad.statusCode).toBe(400);
    expect((await get('/api/v1/fulfilment/R-999')).statusCode).toBe(404);
    expect((await t.server.inject({ method: 'GET', url: '/api/v1/fulfilment/R-100' })).statusCode).toBe(401);
  });

  test('P25 the console shows the steps and what was kept under which rule; the extract reads well', async () => {
    await t.server.listen({ port: 0, host: '127.0.0.1' });
    const addr = t.server.server.address() as { port: number };
    const browser = await launchBrowser();
    try {
      const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      await ctx.addCookies([
        {
          name: 'ombud_session',
          value: t.cookie.split('=').slice(1).join('=').split(';')[0]!,
          url: `http://127.0.0.1:${addr.port}`,
        },
      ]);
      const p = await ctx.newPage();
      await p.goto(`http://127.0.0.1:${addr.port}/console/fulfilment/R-101`);
      const text = await p.textContent('body');
      expect(text).toContain('bookkeeping-se until');
      expect(text).toContain('2 of 2 steps');
      await p.screenshot({ path: 'test-results/fulfilment-console.png', fullPage: true });
      await p.goto(`http://127.0.0.1:${addr.port}/api/v1/fulfilment/R-100/artifacts/extract.html`);
      expect(await p.textContent('h1')).toContain('Your personal data at');
      await p.screenshot({ path: 'test-results/fulfilment-extract.png', fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
