/**
 * One decision for a whole group request: approve, warn, refuse or extend every open company request it
 * was split into, in one step. Each company's decision is still its own: the company's service
 * (approveRequest, warnBeforeRefusal, refuseRequest, extendRequest) runs for each child with the caller,
 * writing that child's timeline, audit entry and mail. All or nothing on rights: before anything is
 * changed every open child is checked against the caller's requests:write in its company, and a caller
 * missing it in any of them is refused with the companies named (nothing is decided). The group request
 * gets one audit entry naming the children decided.
 */
import type { BackgroundWork } from '../../workers.ts';
import { OmbudError, notFound, precondition } from '../../core/errors.ts';
import { type Caller, decide } from '../../core/policies/policy.ts';
import { requestPolicy } from '../../core/policies/resources.ts';
import type { RefusalInput } from '../../core/requests/workflow.ts';
import { isOpen } from '../../core/requests/workflow.ts';
import { recordAudit } from '../audit/auditLog.ts';
import { groupOf } from '../register/group.ts';
import { extendRequest, refuseRequest, warnBeforeRefusal } from './decideRequest.ts';
import { approveRequest } from './fulfilRequest.ts';
import { getRequest, type RequestDeps, type RequestRow } from './store.ts';

export type GroupDecision =
  | { kind: 'approve' }
  | { kind: 'warn'; input: Pick<RefusalInput, 'ground' | 'reason'> }
  | { kind: 'refuse'; input: RefusalInput }
  | { kind: 'extend'; input: { reason?: string; dueDate?: string } };

/** The error code of a refusal for want of rights in some of the group's companies. */
export const GROUP_PARTLY_FORBIDDEN = 'group-partly-forbidden';

/** The open company requests a split group request became, each read once. */
async function openChildren(app: RequestDeps, parent: RequestRow): Promise<RequestRow[]> {
  const ids = parent.scope.linked ?? [];
  const rows: RequestRow[] = [];
  for (const id of ids) {
    const r = await getRequest(app.db, id);
    if (r.scope.parent === parent.id && isOpen(r.state)) rows.push(r);
  }
  return rows;
}

/**
 * The group request and its open children the caller may decide. "Not found" when the caller may read
 * neither the group request nor any of its children; forbidden, naming the companies, when the caller
 * may not write in every child's company.
 */
async function decidable(app: RequestDeps, caller: Caller, id: string) {
  const parent = await getRequest(app.db, id);
  const group = await groupOf(app.registers);
  const allows = (r: RequestRow, a: 'read' | 'write') =>
    decide(caller.principal, requestPolicy, a, r, group) === 'allow';
  if (!parent.scope.group) {
    if (!allows(parent, 'read')) throw notFound('request', id);
    throw precondition(
      'not-a-group-request',
      "This is one company's request, not a group request.",
      "Decide it with the request's own actions.",
    );
  }
  const children = await openChildren(app, parent);
  if (!allows(parent, 'read') && !children.some((c) => allows(c, 'read'))) throw notFound('request', id);
  if (parent.state !== 'split' || children.length === 0)
    throw precondition(
      'group-nothing-to-decide',
      'This group request has no open company requests to decide.',
      'A group request is decided once it has been sent to the companies that know the customer.',
    );
  const refused = children.filter((c) => !allows(c, 'write')).map((c) => c.org_id);
  if (refused.length)
    throw new OmbudError(
      'forbidden',
      GROUP_PARTLY_FORBIDDEN,
      `You may not decide requests at ${[...new Set(refused)].sort().join(', ')}; nothing was decided. Ask a person with requests:write there, or decide the other companies' requests one by one.`,
    );
  return { parent, children };
}

/** Run the decision on every open child; returns the group request and the children decided. */
export async function decideGroup(
  app: RequestDeps,
  workers: BackgroundWork,
  caller: Caller,
  id: string,
  d: GroupDecision,
): Promise<{ parent: RequestRow; decided: string[] }> {
  const { parent, children } = await decidable(app, caller, id);
  const decided: string[] = [];
  for (const c of children) {
    if (d.kind === 'approve') await approveRequest(app, workers, caller, c.id);
    else if (d.kind === 'warn') await warnBeforeRefusal(app, caller, c.id, d.input);
    else if (d.kind === 'refuse') await refuseRequest(app, caller, c.id, d.input);
    else await extendRequest(app, caller, c.id, d.input);
    decided.push(c.id);
  }
  await recordAudit(app.db, {
    actor: caller.actor,
    orgId: parent.org_id,
    action: `request.group.${d.kind}`,
    target: parent.id,
    details: { requests: decided, companies: children.map((c) => c.org_id) },
    at: app.now(),
  });
  return { parent: await getRequest(app.db, id), decided };
}
