/**
 * Place a legal hold (P14, P46): check it against the register and the connected datasets, mark every row
 * of its scope in the group's databases (./markers.ts), then store the hold, the rows it marked and an
 * audit entry (ids, hashes and counts only) in one transaction of Ombud's database.
 */
import { randomUUID } from 'node:crypto';
import { forbidden, validationError } from '../../core/errors.ts';
import type { Identities } from '../../core/fulfilment/dataset.ts';
import { buildGraph } from '../../core/fulfilment/dataset.ts';
import {
  checkHold,
  type HoldContext,
  holdCompanies,
  holdHolderKeys,
  type PlaceHoldInput,
} from '../../core/holds/hold.ts';
import { allowedInAll, authorize, type Caller, type Group } from '../../core/policies/policy.ts';
import { legalHoldPolicy } from '../../core/policies/resources.ts';
import { errorFields } from '../../log.ts';
import { actorString, recordAudit } from '../audit/auditLog.ts';
import { retentionToday } from '../retention/runRetention.ts';
import { type HoldScope, markHold, restoreMarkers } from './markers.ts';
import {
  type Hold,
  type HoldDeps,
  identityHash,
  priorRecorded,
  readHold,
  recordHeldRows,
  toHold,
} from './store.ts';

/** What the checks know of the register and the datasets on the controllers' day. */
export function holdContext(deps: Pick<HoldDeps, 'index' | 'datasets' | 'now'>): HoldContext {
  return {
    today: retentionToday(deps.index, deps.now()),
    legalRules: new Set(
      [...deps.index.retentionRules.values()].filter((r) => r.kind === 'legal').map((r) => r.id),
    ),
    systems: new Set(deps.datasets.map((d) => d.ombud.system)),
    collections: new Map(deps.datasets.map((d) => [d.fides_key, new Set(d.collections.map((c) => c.name))])),
  };
}

export async function placeHold(
  deps: HoldDeps,
  caller: Caller,
  group: Group,
  orgId: string,
  input: PlaceHoldInput,
): Promise<Hold> {
  const id = randomUUID();
  authorize(caller.principal, legalHoldPolicy, 'write', { id, org_id: orgId }, group);
  if (!group.orgIds.includes(orgId))
    throw validationError('unknown-organization', `No organization '${orgId}' in the register.`, [
      { path: ['orgId'], message: 'not an organization of the register' },
    ]);
  const issues = checkHold(input, holdContext(deps));
  if (issues.length) throw validationError('invalid-hold', 'The hold cannot be placed as given.', issues);
  const s = input.scope;
  // A hold on a shared system marks every company's rows there: it needs the say of each of them.
  const companies = holdCompanies(deps.index, buildGraph(deps.datasets), orgId, s);
  if (!allowedInAll(caller.principal, legalHoldPolicy.actions.write, companies))
    throw forbidden(
      `A hold on ${s.kind === 'system' ? `system ${s.system}` : `${s.kind === 'collection' ? `${s.dataset}.${s.collection}` : 'this scope'}`} keeps the rows of ${companies.join(', ')}: placing it needs holds:write in each of them. Place it from an account with that role in each, or hold the data subject instead (only ${orgId}'s rows).`,
    );
  const identities: Identities =
    s.kind === 'subject'
      ? {
          ...(s.email ? { email: s.email } : {}),
          ...(s.customerNumber ? { customer_number: s.customerNumber } : {}),
        }
      : {};
  const scope: HoldScope =
    s.kind === 'subject'
      ? { kind: 'subject', identities, holders: holdHolderKeys(deps.index, orgId) }
      : s.kind === 'system'
        ? { kind: 'system', system: s.system }
        : { kind: 'collection', dataset: s.dataset, collection: s.collection };
  const held = await markHold(deps, id, scope, (row, other) => priorRecorded(deps.db, row, other));
  const at = deps.now();
  const emailHash = identities.email ? identityHash(deps.secret, 'email', identities.email) : null;
  const numberHash = identities.customer_number
    ? identityHash(deps.secret, 'customer_number', identities.customer_number)
    : null;
  try {
    await deps.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO legal_holds (id, org_id, companies, reason_kind, rule_id, reason, scope_kind, email_hash,
                customer_number_hash, system_id, dataset, collection, review_on, rows_held, placed_by, placed_at)
         VALUES ($1, $2, $3::text[], $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          id,
          orgId,
          companies,
          input.reasonKind,
          input.ruleId ?? null,
          input.reason,
          s.kind,
          emailHash,
          numberHash,
          s.kind === 'system' ? s.system : null,
          s.kind === 'collection' ? s.dataset : null,
          s.kind === 'collection' ? s.collection : null,
          input.reviewOn,
          held.length,
          actorString(caller.actor),
          at,
        ],
      );
      await recordHeldRows(tx, id, held);
      await recordAudit(tx, {
        actor: caller.actor,
        orgId,
        action: 'hold.place',
        target: `hold:${id}`,
        at,
        details: {
          reasonKind: input.reasonKind,
          ...(input.ruleId ? { ruleId: input.ruleId } : {}),
          scope: s.kind,
          ...(s.kind === 'system' ? { system: s.system } : {}),
          ...(s.kind === 'collection' ? { dataset: s.dataset, collection: s.collection } : {}),
          ...(emailHash ? { emailHash: emailHash.slice(0, 16) } : {}),
          ...(numberHash ? { customerNumberHash: numberHash.slice(0, 16) } : {}),
          reviewOn: input.reviewOn,
          companies,
          rows: held.length,
          datasets: [...new Set(held.map((h) => h.dataset))].sort(),
        },
      });
    });
  } catch (err) {
    // Nothing stored: the markers written go again (what stood before comes back).
    await restoreMarkers(deps, id, held, async (r) => r.replacedHold ?? null).catch((e: unknown) =>
      deps.log?.error(
        { holdId: id, rows: held.length, ...errorFields(e) },
        'legal hold: markers not put back',
      ),
    );
    throw err;
  }
  return toHold((await readHold(deps.db, id))!);
}
