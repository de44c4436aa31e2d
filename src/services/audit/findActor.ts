/**
 * Who an auditor means by a name or an e-mail address: the people (users table) whose display name
 * contains the words, or whose e-mail address is the one given, and the API keys so named. The words
 * come in a POST body and leave as ids (`user:<uuid>`): never in a URL or a log. The lookup is audited
 * (how many matched, never the words).
 *
 * Only actors the caller's audit log can show are found: an auditor of some companies finds the people
 * who hold a role in one of them, the group's owners (they act in every company), and the API keys that
 * reach one of them; people and keys of the group's other companies stay unknown to them. An auditor of
 * the whole group (audit:read everywhere) finds everyone.
 */
import { orgScope } from '../../core/policies/permissions.ts';
import type { Caller } from '../../core/policies/policy.ts';
import type { Db } from '../../storage/db.ts';
import { recordAudit } from './auditLog.ts';

export type ActorMatch = { ref: string; label: string };

const likeOf = (s: string) => `%${s.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;

export async function findActors(db: Db, caller: Caller, words: string): Promise<ActorMatch[]> {
  const w = words.trim();
  if (!w) return [];
  const scope = orgScope(caller.principal, 'audit:read');
  const orgs = scope === 'all' ? null : scope;
  const byMail = w.includes('@');
  const people = await db.query<{ id: string; name: string }>(
    `SELECT id::text, name FROM users u
      WHERE ${byMail ? 'email = lower($1)' : 'name ILIKE $1'}
        AND ($2::text[] IS NULL OR u.is_owner
             OR EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = u.id AND r.org_id = ANY($2::text[])))
      ORDER BY name, id LIMIT 20`,
    [byMail ? w : likeOf(w), orgs],
  );
  const keys = byMail
    ? []
    : await db.query<{ id: string; name: string }>(
        `SELECT id::text, name FROM api_keys
          WHERE name ILIKE $1 AND ($2::text[] IS NULL OR org_ids && $2::text[])
          ORDER BY name, id LIMIT 20`,
        [likeOf(w), orgs],
      );
  const found = [
    ...people.map((p) => ({ ref: `user:${p.id}`, label: p.name || 'a person without a name' })),
    ...keys.map((k) => ({ ref: `api-key:${k.id}`, label: `API key “${k.name}”` })),
  ];
  await recordAudit(db, {
    actor: caller.actor,
    action: 'audit.actor-lookup',
    details: { by: byMail ? 'e-mail' : 'name', matches: found.length },
  });
  return found;
}
