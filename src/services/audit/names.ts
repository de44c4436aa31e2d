/**
 * Names for the audit log's ids, for people reading it (the console's audit page, a request's timeline, a
 * person's history): `user:<uuid>` → the person's display name, `api-key:<uuid>` → the key's name,
 * `request:<uuid>` → its R- reference, `system:…` → "system"; each with the console page it opens where
 * there is one. Read in one statement per kind for a whole page. Unknown ids keep their id.
 */
import type { Db } from '../../storage/db.ts';
import { referenceOf } from '../requests/store.ts';

export type RefName = { label: string; href?: string };
export type RefNames = ReadonlyMap<string, RefName>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function idsOf(refs: Iterable<string | null | undefined>, kind: string): string[] {
  const ids = new Set<string>();
  for (const r of refs) {
    if (!r?.startsWith(`${kind}:`)) continue;
    const id = r.slice(kind.length + 1);
    if (UUID.test(id)) ids.add(id.toLowerCase());
  }
  return [...ids];
}

async function named(db: Db, sqlText: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db.query<{ id: string; label: string; extra: string | null }>(sqlText, [ids]);
}

/** The names of the given actor and target ids; ids that name nothing known are left out. */
export async function nameRefs(db: Db, refs: Iterable<string | null | undefined>): Promise<RefNames> {
  const all = [...refs];
  const out = new Map<string, RefName>();
  const users = await named(
    db,
    `SELECT id::text, name AS label, NULL AS extra FROM users WHERE id = ANY($1::uuid[])`,
    idsOf(all, 'user'),
  );
  for (const u of users)
    out.set(`user:${u.id}`, { label: u.label || 'a person without a name', href: `/console/users/${u.id}` });
  const keys = await named(
    db,
    `SELECT id::text, name AS label, NULL AS extra FROM api_keys WHERE id = ANY($1::uuid[])`,
    idsOf(all, 'api-key'),
  );
  for (const k of keys) out.set(`api-key:${k.id}`, { label: `API key “${k.label}”` });
  const requests = await named(
    db,
    `SELECT id::text, submission_id::text AS label, type AS extra FROM dsr_requests WHERE id = ANY($1::uuid[])`,
    idsOf(all, 'request'),
  );
  for (const r of requests)
    out.set(`request:${r.id}`, {
      label: `${referenceOf(r.label)} (${r.extra})`,
      href: `/console/requests/${r.id}`,
    });
  for (const r of all) {
    if (!r || out.has(r)) continue;
    if (r.startsWith('system:')) out.set(r, { label: 'system' });
    else if (r.startsWith('data-subject:')) out.set(r, { label: 'the data subject' });
    else if (r.startsWith('cli:')) out.set(r, { label: `command line (${r.slice(4, 40)})` });
    else if (r.startsWith('subject:') && UUID.test(r.slice(8)))
      out.set(r, { label: `subject ${r.slice(8, 16)}…`, href: `/console/consent/subjects/${r.slice(8)}` });
  }
  return out;
}
