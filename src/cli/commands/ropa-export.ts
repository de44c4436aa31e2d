import { writeFile } from 'node:fs/promises';
import { precondition } from '../../core/errors.ts';
import { ropaCsv, ropaFor } from '../../core/ropa/record.ts';
import { CLI_ACTOR, recordAudit } from '../../services/audit/auditLog.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import { type Run, UsageError } from '../spec.ts';
import { withApp } from '../with-app.ts';

export const run: Run<(typeof COMMANDS)['ropa export']> = async ({ values }, io) => {
  if (values.json && !values.out)
    throw new UsageError(
      '--json prints the summary of a written file: give --out FILE (or use --format json).',
    );
  return withApp(async (app) => {
    const r = await app.registers.get();
    if (!r)
      throw precondition('no-register', 'No register is stored.', 'Run `ombud register apply DIR` first.');
    if (!r.index.organization(values.org))
      throw precondition(
        'unknown-organization',
        `No organization '${values.org}'.`,
        `Use one of: ${[...r.index.organizations.keys()].join(', ')}.`,
      );
    const entries = ropaFor(r.index, values.org);
    const text =
      values.format === 'csv'
        ? ropaCsv(entries)
        : JSON.stringify({ organization: values.org, registerRevision: r.stored.revision, entries }, null, 2);
    await recordAudit(app.db, {
      actor: CLI_ACTOR,
      orgId: values.org,
      action: 'ropa.export',
      target: `register-revision:${r.stored.revision}`,
      details: { format: values.format },
    });
    if (!values.out) {
      io.out(text);
      return 0;
    }
    await writeFile(values.out, text);
    io.err(`Wrote ${values.out} (${entries.length} processing activities)`);
    if (values.json)
      printJson(io, {
        organization: values.org,
        registerRevision: r.stored.revision,
        format: values.format,
        file: values.out,
        activities: entries.length,
      });
    return 0;
  });
};
