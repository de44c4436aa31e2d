/**
 * The audit log search, one for the API (`GET /api/v1/audit`: a JSON page, or format=csv for every
 * matching entry, streamed) and the console's page (`GET /console/audit`, its exports at
 * `/console/audit/export`): the caller's companies only (auditEntryPolicy), and the search is itself audited.
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../app.ts';
import { AUDIT_CSV_HEAD, type AuditRow, auditCsvLine, auditEntryOf } from '../services/audit/auditLog.ts';
import { exportAuditAs, searchAuditAs } from '../services/audit/auditSearch.ts';
import { groupOf } from '../services/register/group.ts';
import { callerOf } from './actor.ts';

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day such as 2026-03-31')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'a day that exists');
// An empty form field means no filter.
const blank = (v: unknown) => (v === '' ? undefined : v);

export const auditFilters = z.object({
  action: z.preprocess(blank, z.string().max(64).optional()),
  actor: z.preprocess(blank, z.string().max(200).optional()),
  org: z.preprocess(blank, z.string().max(64).optional()),
  target: z.preprocess(blank, z.string().max(200).optional()),
  from: z.preprocess(blank, day.optional()),
  to: z.preprocess(blank, day.optional()),
});

export const auditQuery = auditFilters.extend({
  before: z.coerce.number().int().min(1).optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(200),
  format: z.enum(['json', 'csv']).default('json'),
});

export const auditExportQuery = auditFilters.extend({ format: z.enum(['json', 'csv']).default('csv') });

/** One page as the request's caller. */
export async function searchAuditFor(
  app: App,
  req: FastifyRequest,
  q: Omit<z.infer<typeof auditQuery>, 'format'>,
) {
  return searchAuditAs(app.db, callerOf(req), await groupOf(app.registers), { ...q, purpose: 'search' });
}

async function* csvOf(rows: AsyncIterable<AuditRow>) {
  yield AUDIT_CSV_HEAD;
  for await (const r of rows) yield auditCsvLine(r);
}

async function* jsonOf(rows: AsyncIterable<AuditRow>) {
  let first = true;
  yield '[';
  for await (const r of rows) {
    yield `${first ? '' : ','}\n${JSON.stringify(auditEntryOf(r))}`;
    first = false;
  }
  yield '\n]\n';
}

/** Every matching entry as CSV or a JSON array, streamed page by page (never the whole log in memory). */
export async function sendAuditExport(
  app: App,
  req: FastifyRequest,
  reply: FastifyReply,
  q: z.infer<typeof auditFilters> & { format: 'json' | 'csv' },
) {
  const rows = await exportAuditAs(app.db, callerOf(req), await groupOf(app.registers), q);
  const csv = q.format === 'csv';
  return reply
    .type(csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
    .header('content-disposition', `attachment; filename="ombud-audit.${csv ? 'csv' : 'json'}"`)
    .send(Readable.from(csv ? csvOf(rows) : jsonOf(rows)));
}
