import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { precondition } from '../../core/errors.ts';
import { ropaCsv, ropaFor } from '../../core/ropa/record.ts';
import { CLI_ACTOR, recordAudit } from '../../services/audit/auditLog.ts';
import type { CliIo } from '../io.ts';
import { withApp } from '../with-app.ts';

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      out: { type: 'string', short: 'o' },
    },
  });
  if (!values.org || (values.format !== 'csv' && values.format !== 'json')) {
    io.err('ombud ropa export: give --org ID and --format csv|json');
    return 2;
  }
  return withApp(async (app) => {
    const r = await app.registers.get();
    if (!r)
      throw precondition('no-register', 'No register is stored.', 'Run `ombud register apply DIR` first.');
    if (!r.index.organization(values.org!))
      throw precondition(
        'unknown-organization',
        `No organization '${values.org}'.`,
        `Use one of: ${[...r.index.organizations.keys()].join(', ')}.`,
      );
    const entries = ropaFor(r.index, values.org!);
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
    if (values.out) {
      await writeFile(values.out, text);
      io.err(`Wrote ${values.out} (${entries.length} processing activities)`);
    } else io.out(text);
    return 0;
  });
}
