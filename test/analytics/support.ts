/**
 * The analytics tests' server: a real Ombud server with the demo systems (embedded), its clock at
 * 2026-11-25 09:00 UTC, the retention worker's dependencies wired to it (the exports read the datasets the
 * same way); and a call as the signed-in owner.
 */
import type { Actor } from '../../src/services/audit/auditLog.ts';
import type { RetentionWorker } from '../../src/services/retention/worker.ts';
import { tickingClock } from '../support/clock.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SAME_ORIGIN } from '../security/helpers.ts';

export async function startAnalyticsServer(): Promise<TestServer> {
  const ts = await startTestServer({ fulfilment: 'embedded', now: tickingClock('2026-11-25T09:00:00Z') });
  const systems = ts.workers.subjectSystems!;
  ts.workers.retention = {
    systems,
    deps: async (actor: Actor) => ({
      db: ts.app.db,
      actor,
      index: (await ts.app.registers.get())!.index,
      datasets: systems.datasets,
      connectors: systems.connectors,
      secret: ts.app.config.secret!,
      now: ts.app.now,
    }),
    stop: async () => {},
  } as unknown as RetentionWorker;
  return ts;
}

/** A request as the server's signed-in owner (same origin, so console forms are accepted too). */
export const callOn = (
  ts: TestServer,
  method: 'GET' | 'POST',
  url: string,
  payload?: unknown,
  accept = 'application/json',
) =>
  ts.server.inject({
    method,
    url,
    headers: { cookie: ts.cookie, ...SAME_ORIGIN, accept },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
