/**
 * Access to one row: the shape every resource policy (src/core/policies/resources.ts) has, and the one
 * function that decides. Pure: the services read the row, ask here, then act.
 *
 * The rule, for every resource: a row belongs to one or more companies of the group (a company's
 * request: that company; a group request: the contact point and every candidate; a webhook endpoint for
 * all companies: every company). An action on it needs the action's permission in **every** company the
 * row belongs to. A caller who may not even read the row gets "not found", so ids of other companies'
 * rows reveal nothing; one who may read it but not do the action gets "forbidden".
 *
 * Lists are narrowed in SQL to `listScope(...)`: the companies where the caller holds the permission
 * ('all' for group owners and trusted system callers).
 */
import type { Actor } from '../audit/actor.ts';
import { forbidden, notFound } from '../errors.ts';
import { can, orgScope, type Permission, type Principal } from './permissions.ts';

/** Who is asking: what they may do (principal) and how the audit log names them (actor). */
export type Caller = { principal: Principal; actor: Actor };

/** The whole group, for rows that belong to every company (a webhook endpoint without a company). */
export type Group = { orgIds: readonly string[] };

export type Policy<Row, A extends string> = {
  /** The resource's name in a "not found" answer, e.g. 'request'. */
  resource: string;
  /** The row's id, for the "not found" answer. */
  idOf: (row: Row) => string;
  /** The companies the row belongs to (never empty: a row of no company is the group's, i.e. every company). */
  companiesOf: (row: Row, group: Group) => readonly string[];
  /** The permission each action needs; `read` decides whether the row is visible at all. */
  actions: Record<A | 'read', Permission>;
  /**
   * A condition beyond the companies, for actions other than read (e.g. only group owners act on a
   * group owner). False makes an otherwise allowed action "forbidden".
   */
  only?: (p: Principal, action: A, row: Row) => boolean;
};

export type Decision = 'allow' | 'forbidden' | 'not-found';

/** True when the principal holds the permission in every one of the companies (and there is at least one). */
export function allowedInAll(p: Principal, permission: Permission, orgIds: readonly string[]): boolean {
  return orgIds.length > 0 && orgIds.every((o) => can(p, permission, o));
}

export function decide<Row, A extends string>(
  p: Principal,
  policy: Policy<Row, A>,
  action: A | 'read',
  row: Row,
  group: Group,
): Decision {
  const companies = policy.companiesOf(row, group);
  if (allowedInAll(p, policy.actions[action], companies)) {
    if (action === 'read' || !policy.only || policy.only(p, action as A, row)) return 'allow';
    return 'forbidden';
  }
  return allowedInAll(p, policy.actions.read, companies) ? 'forbidden' : 'not-found';
}

/** Throws the typed error the edge maps to 404 or 403 unless the caller may do the action on the row. */
export function authorize<Row, A extends string>(
  p: Principal,
  policy: Policy<Row, A>,
  action: A | 'read',
  row: Row,
  group: Group,
): void {
  const d = decide(p, policy, action, row, group);
  if (d === 'not-found') throw notFound(policy.resource, policy.idOf(row));
  if (d === 'forbidden')
    throw forbidden(
      allowedInAll(p, policy.actions[action], policy.companiesOf(row, group))
        ? `You may not do this to this ${policy.resource}.`
        : `You may see this ${policy.resource} but not '${policy.actions[action]}' it: that needs the role in ${policy
            .companiesOf(row, group)
            .join(', ')}.`,
    );
}

/**
 * Read a row the caller may read. The decision is made first, on what identifies the row (its company
 * columns, or a stand-in for a group-wide row); then `read` runs, and a missing row answers the same
 * "not found" as a hidden one. No I/O here: `read` is the service's.
 */
export async function readAuthorized<Row, A extends string, T>(
  caller: Caller,
  policy: Policy<Row, A>,
  decidedOn: Row,
  group: Group,
  read: () => Promise<T | null | undefined>,
  missing: { resource: string; id: string } = { resource: policy.resource, id: policy.idOf(decidedOn) },
): Promise<T> {
  authorize(caller.principal, policy, 'read', decidedOn, group);
  const found = await read();
  if (found === null || found === undefined) throw notFound(missing.resource, missing.id);
  return found;
}

/**
 * The companies whose rows a list may show: 'all', or the ids where the caller holds the permission.
 * A row that belongs to several companies is shown only when every one of them is in the list.
 */
export function listScope(p: Principal, permission: Permission): 'all' | string[] {
  return orgScope(p, permission);
}

/**
 * `listScope` for lists that hold rows of no company (the group's): 'all' also when the caller holds
 * the permission in every company of the group, so only such callers see the group's rows. A list
 * filtered with a company list shows a row only when all its companies are in it.
 */
export function groupListScope(p: Principal, permission: Permission, group: Group): 'all' | string[] {
  const scope = listScope(p, permission);
  if (scope === 'all') return 'all';
  return allowedInAll(p, permission, group.orgIds) ? 'all' : scope;
}

/** For in-memory filtering of rows already read (SQL filtering with `listScope` is the rule for lists). */
export function visibleTo<Row, A extends string>(p: Principal, policy: Policy<Row, A>, group: Group) {
  return (row: Row) => allowedInAll(p, policy.actions.read, policy.companiesOf(row, group));
}
