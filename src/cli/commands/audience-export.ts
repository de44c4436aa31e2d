/**
 * `ombud audience export ORG SEGMENT`: build and export a segment over the connected databases, write its
 * files (hashes only) into --out, record and audit the export.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDatasetSources } from '../../core/retention/annotations.ts';
import { exportSegment, readExportFile, segmentOf } from '../../services/audience/exportSegment.ts';
import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { consentKeys } from '../../services/consent/keys.ts';
import { DEMO_DATASETS_DIR } from '../../services/fulfilment/datasets.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import type { Run } from '../spec.ts';
import { parseConnections, readDatasetSources, withSystems } from '../systems.ts';
import { withApp } from '../with-app.ts';

export const run: Run<(typeof COMMANDS)['audience export']> = async ({ values, positionals }, io) => {
  const [orgId, segmentId] = positionals as [string, string];
  const connections = parseConnections(values.connection, values.demo, 'to build the segment from');
  return withApp(async (app) => {
    const reg = await app.registers.get();
    if (!reg) {
      io.err('ombud audience export: no register is stored; apply one first (ombud register apply DIR).');
      return 1;
    }
    const segment = segmentOf(reg.index, orgId, segmentId);
    const { datasets } = parseDatasetSources(await readDatasetSources(values.datasets ?? DEMO_DATASETS_DIR), {
      register: reg.index.register,
    });
    const used = datasets.filter((d) => d.fides_key === segment.selection.dataset);
    return withSystems(app, { demo: values.demo, connections, datasets: used }, async ({ connectors }) => {
      const keys = await consentKeys(app.db, app.config.secret, app.config.secretKeys);
      const e = await exportSegment(
        { db: app.db, keys, index: reg.index, now: app.now },
        { datasets: used, connectors },
        CLI_ACTOR,
        { orgId, segmentId, kind: 'manual' },
      );
      await mkdir(values.out, { recursive: true });
      for (const f of e.files) {
        const file = await readExportFile(app.db, CLI_ACTOR, { orgId, exportId: e.id, name: f.name });
        await writeFile(join(values.out, f.name), file.content);
      }
      if (values.json) printJson(io, e);
      else {
        io.out(
          `${segmentId} (${e.ruleId}, ${e.purposeId} on ${e.legalBasis}, to ${e.recipient}): ${e.members} members, ${e.added} to add, ${e.removed} to remove, ${e.skipped} skipped (not normalisable), left out: ${
            Object.entries(e.excluded)
              .map(([k, n]) => `${n} ${k}`)
              .join(', ') || 'none'
          }`,
        );
        for (const f of e.files) io.out(`  ${join(values.out, f.name)} (${f.rows} rows, ${f.role})`);
      }
      return 0;
    });
  });
};
