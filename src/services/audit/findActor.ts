/**
 * Who an auditor means by a name or an e-mail address: the people (users table) whose display name
 * contains the words, or whose e-mail address is the one given, and the API keys so named. The words
 * come in a POST body and leave as ids (`user:<uuid>`): never in a URL or a log. The lookup is audited
 * (how many matched, never the words).
 */
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAudit } from './auditLog.ts';

export type ActorMatch = { ref: string; label: string };

const likeOf = (s: string) => `%${s.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;

export async function findActors(db: Db, actor: Actor, words: string): Promise<ActorMatch[]> {
  const w = words.trim();
  if (!w) return [];
  const people = await db.query<{ id: string; name: string }>(
    w.includes('@')
      ? 'SELECT id::text, name FROM users WHERE email = lower($1) ORDER BY name, id LIMIT 20'
      : 'SELECT id::text, name FROM users WHERE name ILIKE $1 ORDER BY name, id LIMIT 20',
    [w.includes('@') ? w : likeOf(w)],
  );
  const keys = w.includes('@')
    ? []
    : await db.query<{ id: string; name: string }>(
        'SELECT id::text, name FROM api_keys WHERE name ILIKE $1 ORDER BY name, id LIMIT 20',
        [likeOf(w)],
      );
  const found = [
    ...people.map((p) => ({ ref: `user:${p.id}`, label: p.name || 'a person without a name' })),
    ...keys.map((k) => ({ ref: `api-key:${k.id}`, label: `API key “${k.name}”` })),
  ];
  await recordAudit(db, {
    actor,
    action: 'audit.actor-lookup',
    details: { by: w.includes('@') ? 'e-mail' : 'name', matches: found.length },
  });
  return found;
}
