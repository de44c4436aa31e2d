/**
 * ombud hold place | lift ID | list: legal holds from the command line (src/services/holds). Placing and
 * lifting mark rows in the group's databases, so they take the same connections as `ombud retention run`
 * (--connection KEY=URL for each annotated dataset, or --demo); listing reads Ombud's database only.
 */
import { checkedHoldInput, describeScope, type PlaceHoldInput, reviewState } from '../../core/holds/hold.ts';
import { SYSTEM_PRINCIPAL } from '../../core/policies/permissions.ts';
import { formatFinding, parseDatasetSources } from '../../core/retention/annotations.ts';
import type { App } from '../../app.ts';
import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { DEMO_DATASETS_DIR } from '../../services/fulfilment/datasets.ts';
import { liftHold } from '../../services/holds/liftHold.ts';
import { listHolds } from '../../services/holds/listHolds.ts';
import { placeHold } from '../../services/holds/placeHold.ts';
import type { Hold, HoldDeps } from '../../services/holds/store.ts';
import { retentionToday } from '../../services/retention/runRetention.ts';
import type { COMMANDS } from '../commands.ts';
import { type CliIo as Io, printJson } from '../io.ts';
import { type Run, UsageError } from '../spec.ts';
import { parseConnections, readDatasetSources, withSystems } from '../systems.ts';
import { withApp } from '../with-app.ts';

const caller = { principal: SYSTEM_PRINCIPAL, actor: CLI_ACTOR };

type SystemsOptions = { datasets?: string; connection: string[]; demo: boolean };

/** The hold use cases' dependencies over the databases named on the command line; closed after `fn`. */
async function withHoldSystems(
  app: App,
  values: SystemsOptions,
  io: Io,
  fn: (deps: HoldDeps) => Promise<number>,
): Promise<number> {
  const connections = parseConnections(values.connection, values.demo, 'hold the rows');
  const reg = await app.registers.get();
  if (!reg) {
    io.err('no register is stored; apply one first (ombud register apply DIR).');
    return 1;
  }
  const { datasets, findings } = parseDatasetSources(
    await readDatasetSources(values.datasets ?? DEMO_DATASETS_DIR),
    { register: reg.index.register },
  );
  const errors = findings.filter((f) => f.severity === 'error');
  for (const f of errors) io.err(formatFinding(f));
  if (errors.length) return 1;
  return withSystems(app, { demo: values.demo, connections, datasets }, ({ connectors, secret }) =>
    fn({ db: app.db, index: reg.index, datasets, connectors, secret, now: app.now }),
  );
}

const wire = (h: Hold, today: string) => ({
  ...h,
  review: reviewState(h, today),
  placedAt: h.placedAt.toISOString(),
  liftedAt: h.liftedAt?.toISOString() ?? null,
});

const line = (h: Hold, today: string) =>
  `${h.id}  ${h.orgId}  ${h.reasonKind}${h.ruleId ? ` (${h.ruleId})` : ''}  ${describeScope(h.scope)}  ${h.rowsHeld} rows  review ${h.reviewOn} (${reviewState(h, today)})`;

/** The options as the API's body; a wrong field is named with its path (exit 1), as the API does. */
function holdInput(values: {
  'reason-kind': string;
  rule?: string;
  reason: string;
  email?: string;
  'customer-number'?: string;
  system?: string;
  collection?: string;
  'review-on': string;
}): PlaceHoldInput {
  const kinds = [
    values.email || values['customer-number'] ? 'subject' : '',
    values.system ? 'system' : '',
    values.collection ? 'collection' : '',
  ].filter(Boolean);
  if (kinds.length !== 1)
    throw new UsageError(
      'give one scope: --email and/or --customer-number (a data subject), --system ID, or --collection DATASET.COLLECTION.',
    );
  let scope: unknown;
  if (kinds[0] === 'subject')
    scope = {
      kind: 'subject',
      ...(values.email ? { email: values.email } : {}),
      ...(values['customer-number'] ? { customerNumber: values['customer-number'] } : {}),
    };
  else if (kinds[0] === 'system') scope = { kind: 'system', system: values.system };
  else {
    const [dataset, collection, ...rest] = values.collection!.split('.');
    if (!dataset || !collection || rest.length)
      throw new UsageError('--collection takes DATASET.COLLECTION, e.g. nestit_customer_service.cases.');
    scope = { kind: 'collection', dataset, collection };
  }
  return checkedHoldInput({
    reasonKind: values['reason-kind'],
    ...(values.rule ? { ruleId: values.rule } : {}),
    reason: values.reason,
    scope,
    reviewOn: values['review-on'],
  });
}

export const place: Run<(typeof COMMANDS)['hold place']> = async ({ values }, io) => {
  const input = holdInput(values);
  return withApp((app) =>
    withHoldSystems(app, values, io, async (deps) => {
      const orgIds = deps.index.register.organizations.map((o) => o.id);
      const h = await placeHold(deps, caller, { orgIds }, values.org, input);
      const today = retentionToday(deps.index, app.now());
      if (values.json) printJson(io, wire(h, today));
      else
        io.out(
          `Placed hold ${h.id}: ${h.rowsHeld} rows held (${describeScope(h.scope)}), review on ${h.reviewOn}.`,
        );
      return 0;
    }),
  );
};

export const lift: Run<(typeof COMMANDS)['hold lift']> = async ({ values, positionals }, io) => {
  const id = positionals[0]!;
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new UsageError(`'${id}' is not a hold id (see ombud hold list).`);
  return withApp((app) =>
    withHoldSystems(app, values, io, async (deps) => {
      const orgIds = deps.index.register.organizations.map((o) => o.id);
      const h = await liftHold(deps, caller, { orgIds }, id, values.reason);
      if (values.json) printJson(io, wire(h, retentionToday(deps.index, app.now())));
      else
        io.out(
          `Lifted hold ${h.id}: ${h.markersRemoved} markers removed, ${h.markersRestored} rows given back their earlier marker. The next retention run acts on the rest.`,
        );
      return 0;
    }),
  );
};

export const list: Run<(typeof COMMANDS)['hold list']> = async ({ values }, io) =>
  withApp(async (app) => {
    const reg = await app.registers.get();
    if (!reg) {
      io.err('ombud hold list: no register is stored; apply one first (ombud register apply DIR).');
      return 1;
    }
    const today = retentionToday(reg.index, app.now());
    const holds = await listHolds(app.db, caller, {
      ...(values.org ? { orgId: values.org } : {}),
      standing: values.standing,
    });
    if (values.json) printJson(io, { today, holds: holds.map((h) => wire(h, today)) });
    else if (!holds.length) io.out('No legal holds.');
    else for (const h of holds) io.out(line(h, today));
    return 0;
  });
