/**
 * ombud analytics export | list: analytics without identities from the command line (src/services/analytics).
 * Exporting reads the group's databases, so it takes the same connections as `ombud retention run`
 * (--connection KEY=URL for each annotated dataset, or --demo); listing reads Ombud's database only.
 */
import { writeFile } from 'node:fs/promises';
import { SYSTEM_PRINCIPAL } from '../../core/policies/permissions.ts';
import { formatFinding, parseDatasetSources } from '../../core/retention/annotations.ts';
import { listAnalyticsExports } from '../../services/analytics/listExports.ts';
import { runAnalyticsExport } from '../../services/analytics/runExport.ts';
import type { AnalyticsExport } from '../../services/analytics/store.ts';
import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { DEMO_DATASETS_DIR } from '../../services/fulfilment/datasets.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import { type Run, UsageError } from '../spec.ts';
import { parseConnections, readDatasetSources, withSystems } from '../systems.ts';
import { withApp } from '../with-app.ts';

const caller = { principal: SYSTEM_PRINCIPAL, actor: CLI_ACTOR };

const wire = (e: AnalyticsExport) => ({ ...e, createdAt: e.createdAt.toISOString() });

function summary(e: AnalyticsExport): string {
  const g = e.guarantee;
  const left = `left out ${g.subjects.restricted} restricted, ${g.subjects.objected} objecting, ${g.subjects.noConsent} without consent`;
  if (g.kind === 'rows')
    return `${g.records} pseudonymised rows (series ${g.pseudonym?.series}), times by ${g.timePrecision}; ${left}`;
  return `${g.records} cells and totals, k = ${g.k}: ${g.suppressed.primary} under k, ${g.suppressed.complementary} hidden with them${
    g.noise
      ? `; ${g.noise.mechanism} noise ε ${g.noise.epsilon}, budget ${g.noise.spent} of ${g.noise.budget} spent`
      : ''
  }; ${left}`;
}

export const exportCommand: Run<(typeof COMMANDS)['analytics export']> = async ({ values }, io) => {
  if (values.format === 'parquet' && !values.out)
    throw new UsageError('a Parquet file is binary: name where to write it with --out FILE.');
  const connections = parseConnections(values.connection, values.demo, 'read the rows');
  return withApp(async (app) => {
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
    return withSystems(app, { demo: values.demo, connections, datasets }, async ({ connectors, secret }) => {
      const r = await runAnalyticsExport(
        {
          db: app.db,
          index: reg.index,
          datasets,
          connectors,
          secret,
          secretKeys: app.config.secretKeys,
          now: app.now,
        },
        caller,
        {
          orgId: values.org,
          purposeId: values.purpose,
          exportId: values.export,
          format: values.format as 'json' | 'csv' | 'parquet',
          newSeries: values['new-series'],
        },
      );
      if (values.out) await writeFile(values.out, r.body);
      if (values.json) printJson(io, wire(r.export));
      else {
        if (!values.out) io.out((r.body as string).replace(/\r?\n$/, ''));
        io.err(`Export ${r.export.id}: ${summary(r.export)}.${values.out ? ` Wrote ${values.out}.` : ''}`);
      }
      return 0;
    });
  });
};

export const list: Run<(typeof COMMANDS)['analytics list']> = async ({ values }, io) =>
  withApp(async (app) => {
    const exports = await listAnalyticsExports(app.db, caller, values.org ? { orgId: values.org } : {});
    if (values.json) printJson(io, { exports: exports.map(wire) });
    else if (!exports.length) io.out('No analytics exports.');
    else
      for (const e of exports)
        io.out(
          `${e.id}  ${e.createdAt.toISOString()}  ${e.orgId}  ${e.purposeId}/${e.exportId}  ${summary(e)}`,
        );
    return 0;
  });
