/**
 * The audit log search, one for the API (`GET /api/v1/audit`, JSON or CSV) and the console's page
 * (`GET /console/audit`): the caller's companies only (auditEntryPolicy), and the search is itself audited.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../app.ts';
import { searchAuditAs } from '../services/audit/auditSearch.ts';
import { groupOf } from '../services/register/group.ts';
import { callerOf } from './actor.ts';

export const auditQuery = z.object({
  action: z.string().max(64).optional(),
  actor: z.string().max(200).optional(),
  org: z.string().max(64).optional(),
  target: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(200),
  format: z.enum(['json', 'csv']).default('json'),
});

/** Search as the request's caller; a CSV is recorded as an export, anything else as a search. */
export async function searchAuditFor(
  app: App,
  req: FastifyRequest,
  q: Omit<z.infer<typeof auditQuery>, 'format'> & { format?: 'json' | 'csv' },
) {
  return searchAuditAs(app.db, callerOf(req), await groupOf(app.registers), {
    ...q,
    purpose: q.format === 'csv' ? 'export' : 'search',
  });
}
