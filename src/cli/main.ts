/**
 * The `ombud` command. Each command lives in its own module under ./commands and is
 * loaded on demand, so `ombud register validate` does not start a database.
 */
import { OmbudError } from '../core/errors.ts';
import { type CliIo, processIo } from './io.ts';

type Command = {
  summary: string;
  load: () => Promise<{ run: (args: string[], io: CliIo) => Promise<number> }>;
};

export const COMMANDS: Record<string, Command> = {
  'requests daily': {
    summary:
      'Daily run of the request desk: digest to assignees, purge expired result files, send the outbox [--fallback-to EMAIL]',
    load: () => import('./commands/requests-daily.ts'),
  },
  start: {
    summary: 'Start the server (embedded database unless DATABASE_URL is set), load the demo group',
    load: () => import('./commands/start.ts'),
  },
  'register validate': {
    summary: 'Validate a register folder: ombud register validate DIR',
    load: () => import('./commands/register-validate.ts'),
  },
  'register apply': {
    summary: 'Store a new register revision: ombud register apply DIR',
    load: () => import('./commands/register-apply.ts'),
  },
  'register diff': {
    summary:
      'Compare a folder (or revision) with the stored register: ombud register diff [DIR] [--from N --to M]',
    load: () => import('./commands/register-diff.ts'),
  },
  'register schema': {
    summary: 'Print the JSON Schema of register files',
    load: () => import('./commands/register-schema.ts'),
  },
  'notice render': {
    summary: 'Render the notice: ombud notice render --org ID --lang en|sv|nb --format html|md',
    load: () => import('./commands/notice-render.ts'),
  },
  'notice publish': {
    summary: 'Publish an immutable notice version: ombud notice publish --org ID --effective YYYY-MM-DD',
    load: () => import('./commands/notice-publish.ts'),
  },
  'notice diff': {
    summary: 'List changes between notice versions: ombud notice diff --org ID [--from N] [--to M]',
    load: () => import('./commands/notice-diff.ts'),
  },
  'ropa export': {
    summary: 'Export the record of processing (Art. 30): ombud ropa export --org ID --format csv|json',
    load: () => import('./commands/ropa-export.ts'),
  },
  'admin create': {
    summary: 'Create an administrator: ombud admin create --email E [--password P | password on stdin]',
    load: () => import('./commands/admin-create.ts'),
  },
  apikey: {
    summary:
      'API keys for systems: ombud apikey create --name N --org ID --permission P | list | revoke ID | rotate ID',
    load: () => import('./commands/apikey.ts'),
  },
  'secrets reseal': {
    summary: 'Re-encrypt stored secrets under the newest key of OMBUD_SECRET_KEYS (key rotation)',
    load: () => import('./commands/secrets-reseal.ts'),
  },
  'demo seed': {
    summary:
      'Create and fill the demo systems: ombud demo seed --customers N [--seed S] --webshop URL --customer-service URL [--create]',
    load: () => import('./commands/demo-seed.ts'),
  },
  'dataset generate': {
    summary:
      'Draft a dataset annotation (YAML) from a live schema: ombud dataset generate --connection URL --key KEY',
    load: () => import('./commands/dataset-generate.ts'),
  },
  'dataset validate': {
    summary:
      'Check dataset annotations against the live databases and the register: ombud dataset validate FILE --connection URL [--register DIR]',
    load: () => import('./commands/dataset-validate.ts'),
  },
  'retention run': {
    summary:
      'Enforce retention once: erase what has ended, keep what a law requires: ombud retention run [--dry-run] [--today YYYY-MM-DD] (--connection KEY=URL … | --demo)',
    load: () => import('./commands/retention-run.ts'),
  },
  'audit verify': {
    summary:
      'Verify the audit log: the keyed hash chain, its head and the signed checkpoints exported (exit 1 broken, 3 a key missing)',
    load: () => import('./commands/audit-verify.ts'),
  },
  'audit checkpoint': {
    summary:
      'Verify the audit log, then sign a checkpoint of its head and export it (file, DPO mail, OMBUD_AUDIT_CHECKPOINT_URL)',
    load: () => import('./commands/audit-checkpoint.ts'),
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    'Usage: ombud <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Environment: DATABASE_URL (PostgreSQL server), OMBUD_DATA_DIR (embedded data, default ./.ombud), PORT.',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help' || argv[0] === '-h') {
    io.out(usage());
    return argv.length === 0 ? 1 : 0;
  }
  const two = argv.slice(0, 2).join(' ');
  const name = COMMANDS[two] ? two : COMMANDS[argv[0]!] ? argv[0]! : undefined;
  if (!name) {
    io.err(`ombud: unknown command '${argv.slice(0, 2).join(' ')}'.\n\n${usage()}`);
    return 2;
  }
  const rest = argv.slice(name.split(' ').length);
  try {
    const mod = await COMMANDS[name]!.load();
    return await mod.run(rest, io);
  } catch (err) {
    if (err instanceof OmbudError) {
      io.err(`ombud ${name}: ${err.message}`);
      for (const i of err.issues)
        io.err(`  ${i.path.join('.')}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`);
      if (err.hint) io.err(`  fix: ${err.hint}`);
      return 1;
    }
    if (
      err instanceof TypeError &&
      'code' in err &&
      String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')
    ) {
      io.err(`ombud ${name}: ${err.message}\nRun 'ombud --help' for the options.`);
      return 2;
    }
    throw err;
  }
}
