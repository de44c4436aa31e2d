/**
 * The subject locator: which companies of the group know a verified requester. It asks, read-only, the
 * consent register (the identities each company holds, by keyed hash) and the group's own systems through
 * the fulfilment engine's traversal (`Engine.locate` over the annotated datasets; each row attributed to its
 * controller by src/core/fulfilment/controllers.ts). It runs only after the requester has proven the
 * address (code, signed assertion or an agent's check), never on the public form, so nobody can probe the
 * group's customer base or load its systems by submitting addresses.
 *
 * The result names sources, companies and counts only: no identity and no row leaves this function (the
 * caller records it on the request's timeline and in the audit log). It never throws: a source that fails
 * is reported, and the caller then leaves the "no data" answer to a person.
 */
import type { SubjectSystems } from '../../workers.ts';
import { normaliseEmail } from '../../core/consent/identity.ts';
import { attributeLocated, type Holder, holderKey } from '../../core/fulfilment/controllers.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { ownSystemsOf } from '../../core/requests/routing.ts';
import { subjectsWithIdentity } from '../consent/subjects.ts';
import { Engine } from '../fulfilment/engine.ts';
import { keysOf } from './consentLink.ts';
import type { RequestDeps } from './store.ts';

/** One source that holds the subject: the consent register, or a collection of a system. */
export type SourceHit = { source: string; holder: Holder; rows: number };

export type LocateResult = {
  candidates: string[];
  hits: SourceHit[];
  /** Each source searched and how it went (a failure names an error code, never a message). */
  searched: { source: string; system?: string; status: 'searched' | 'failed'; error?: string }[];
  /** Own systems of the candidates' purposes that have no connection to search. */
  unchecked: string[];
  /** Sources whose search failed. */
  failed: string[];
};

const codeOf = (err: unknown) => {
  const c = (err as { code?: unknown })?.code;
  return typeof c === 'string' && /^[\w.-]{1,40}$/.test(c) ? c : 'error';
};

export async function locateSubject(
  app: RequestDeps,
  systems: SubjectSystems | undefined,
  ix: RegisterIndex,
  input: { email: string; candidates: string[]; purposeId?: string },
): Promise<LocateResult> {
  const hits: SourceHit[] = [];
  const searched: LocateResult['searched'] = [];
  let email: string | undefined;
  try {
    email = normaliseEmail(input.email);
  } catch {
    email = undefined;
  }

  // The consent register: a subject of a company with this address. What the company holds through a
  // joint purpose belongs to the arrangement; the rest (and a bare identity) to the company itself.
  try {
    const subjects = email
      ? await subjectsWithIdentity(app.db, await keysOf(app), input.candidates, {
          kind: 'email',
          value: email,
        })
      : [];
    const counts = new Map<string, SourceHit>();
    const add = (holder: Holder, n: number) => {
      const k = holderKey(holder);
      const h = counts.get(k) ?? { source: 'consent', holder, rows: 0 };
      h.rows += n;
      counts.set(k, h);
    };
    for (const s of subjects) {
      if (s.purposes.length === 0) add({ kind: 'org', orgId: s.orgId }, 1);
      for (const p of s.purposes) {
        const joint = ix.jointArrangementFor(p.purposeId, s.orgId);
        add(joint ? { kind: 'joint', arrangementId: joint.id } : { kind: 'org', orgId: s.orgId }, p.events);
      }
    }
    hits.push(...counts.values());
    searched.push({ source: 'consent', status: 'searched' });
  } catch (err) {
    searched.push({ source: 'consent', status: 'failed', error: codeOf(err) });
  }

  // The group's own systems, read-only, through the datasets' traversal.
  const connected = new Set(systems?.datasets.map((d) => d.ombud.system) ?? []);
  if (systems && email) {
    const failedNodes = new Map<string, string>();
    try {
      const engine = new Engine(systems.datasets, systems.connectors);
      const located = await engine.locate(
        { email },
        { onError: (node, err) => failedNodes.set(node, codeOf(err)) },
      );
      for (const c of attributeLocated(ix, engine.graph, located))
        for (const h of c.holders)
          hits.push({ source: `${c.dataset}.${c.collection}`, holder: h.holder, rows: h.rows });
      for (const d of systems.datasets) {
        const failure = [...failedNodes].find(([node]) => node.startsWith(`${d.fides_key}.`));
        searched.push({
          source: d.fides_key,
          system: d.ombud.system,
          status: failure ? 'failed' : 'searched',
          ...(failure ? { error: failure[1] } : {}),
        });
      }
    } catch (err) {
      for (const d of systems.datasets)
        searched.push({ source: d.fides_key, system: d.ombud.system, status: 'failed', error: codeOf(err) });
    }
  }

  const unchecked = ownSystemsOf(ix, input.candidates, input.purposeId).filter((s) => !connected.has(s));
  const failed = searched.filter((s) => s.status === 'failed').map((s) => s.source);
  if (!email) failed.push('identity');
  return { candidates: input.candidates, hits, searched, unchecked, failed };
}

/** The located sources per company (and arrangement), for the timeline and the audit log: names and counts. */
export function locateSummary(r: LocateResult): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const h of r.hits) {
    const k = holderKey(h.holder);
    out[k] ??= {};
    out[k]![h.source] = (out[k]![h.source] ?? 0) + h.rows;
  }
  return out;
}
