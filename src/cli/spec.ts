/**
 * How a command is described: its arguments, options, environment, exit codes and examples. The command
 * table (`commands.ts`) holds one such spec per command; `parseCommand` parses with it (Node's
 * `util.parseArgs`, strict) and `help.ts` prints its `--help` from it, so the two cannot drift apart.
 */
import { parseArgs } from 'node:util';
import type { CliIo } from './io.ts';

export type OptionSpec = {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** May be given more than once; the value is a list (empty when not given). */
  readonly multiple?: boolean;
  /** The value when the option is not given (string options; a boolean is false unless given). */
  readonly default?: string;
  /** Without the option, the value of this environment variable (before `default`). */
  readonly env?: string;
  /** How the value is named in the usage: `--org ID`. */
  readonly value?: string;
  /** The only values accepted; anything else is a usage error naming them. */
  readonly choices?: readonly string[];
  /** Without it the command does not run (a usage error). */
  readonly required?: boolean;
  readonly description: string;
};

export type ArgSpec = {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  /** One or more (with `required`) or any number. */
  readonly multiple?: boolean;
};

export type Options = Readonly<Record<string, OptionSpec>>;

/** What a command module exports: its `run`, given the parsed input. */
export type CommandModule = { run: (input: never, io: CliIo) => Promise<number> };

export type CommandSpec<O extends Options = Options> = {
  /** One line, for `ombud --help`. */
  readonly summary: string;
  /** What it does, in a few sentences. */
  readonly description: string;
  /** The usage after `ombud <command>`, where the options alone do not say it (alternatives). */
  readonly usage?: string;
  readonly args?: readonly ArgSpec[];
  readonly options: O;
  /** What `--json` prints; the option exists only when this is given. */
  readonly json?: string;
  /** The environment variables it reads (described in `ENVIRONMENT`). */
  readonly env: readonly EnvName[];
  /** What its exit codes mean; 2 (usage) is the same for every command and added by the help. */
  readonly exits: Readonly<Record<0 | 1, string> & Partial<Record<number, string>>>;
  /** Long work: what it reports as progress (on stderr, when stderr is a terminal). */
  readonly progress?: string;
  readonly examples: readonly string[];
};

/** A spec with its option names and kinds kept, so a command's `run` is typed from it. */
export function defineCommand<const O extends Options>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

type Scalar<O extends OptionSpec> = O['type'] extends 'boolean'
  ? boolean
  : O extends { readonly choices: readonly (infer C extends string)[] }
    ? C
    : string;
type AlwaysSet<O extends OptionSpec> = O['type'] extends 'boolean'
  ? true
  : O extends { readonly default: string }
    ? true
    : O extends { readonly required: true }
      ? true
      : false;
type OptionValue<O extends OptionSpec> = O extends { readonly multiple: true }
  ? Scalar<O>[]
  : AlwaysSet<O> extends true
    ? Scalar<O>
    : Scalar<O> | undefined;

/** The parsed input of a command: its options typed from its spec, `json` and the positional arguments. */
export type CommandInput<S extends { readonly options: Options }> = {
  values: { -readonly [K in keyof S['options']]: OptionValue<S['options'][K]> } & { json: boolean };
  positionals: string[];
};

/** A command's `run`, typed from its spec in the table: `Run<(typeof COMMANDS)['register validate']>`. */
export type Run<S extends { readonly options: Options }> = (
  input: CommandInput<S>,
  io: CliIo,
) => Promise<number>;

/** A usage error: what was wrong; `main` prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The exit codes every command shares. */
export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
} as const;

export const EXIT_USAGE_TEXT =
  'usage: an unknown command or option, a missing or bad argument (the usage and what was wrong go to stderr)';

/** Every environment variable a command may read, described once. */
export const ENVIRONMENT = {
  DATABASE_URL: 'PostgreSQL server (postgres://…); unset: the embedded database in OMBUD_DATA_DIR',
  OMBUD_DATA_DIR: 'the embedded database and the default key files (default ./.ombud)',
  OMBUD_SECRET_KEYS:
    'keyring for secrets at rest ("id:base64key,…", newest last); the audit chain key is derived from it; unset on the embedded database: <data dir>/secret-keys.key, created on first use',
  OMBUD_AUDIT_KEY_FILE: 'the audit chain keys (default <data dir>/audit-chain.key)',
  OMBUD_SECRET: 'the installation secret (signing, pseudonyms); default the one stored in the database',
  OMBUD_AUDIT_SIGNING_KEY: 'Ed25519 private key signing checkpoints (default <data dir>/audit-signing.key)',
  OMBUD_AUDIT_PUBLIC_KEY: 'public key(s) checkpoints are verified with (default the signing key file + .pub)',
  OMBUD_AUDIT_CHECKPOINT_DIR: 'where checkpoints are appended (default <data dir>/audit-checkpoints)',
  OMBUD_AUDIT_CHECKPOINT_URL: 'checkpoints are also POSTed here',
  OMBUD_AUDIT_CHECKPOINT_MAIL: "checkpoints are mailed here (default the register's DPOs; 'none' for none)",
  OMBUD_OIDC_PROVIDERS: 'single sign-on providers and their role mapping (a YAML or JSON file; docs/sso.md)',
  OMBUD_SSO_ONLY: '1: passwords off, people sign in through single sign-on only (default 0)',
  SMTP_URL: 'outgoing mail (smtp://…); unset: mail waits in the outbox',
  MAIL_FROM: 'the sender of outgoing mail (default Ombud <privacy@localhost>)',
  PORT: 'the port to listen on (default 3000)',
  HOST: 'the address to listen on (default 127.0.0.1)',
  OMBUD_PUBLIC_URL: 'the public address of the server (default http://HOST:PORT)',
  LOG_LEVEL: 'fatal, error, warn, info (default), debug, trace or silent',
  OMBUD_LOG_FORMAT:
    'json (one object per line) or pretty (one readable line); default pretty on a terminal, else json',
  OMBUD_METRICS_TOKEN: 'the bearer token /metrics asks for; unset: /metrics answers on loopback only',
  OMBUD_MAIL_CATCHER_PORT: "the demo's SMTP catcher when SMTP_URL is unset (default 2525)",
  OMBUD_DEMO_PASSWORD: "the demo administrator's password (default a random one, printed once)",
  OMBUD_CHROMIUM: 'Chromium for the PDF extract (default /usr/bin/chromium)',
  OMBUD_DEMO_WEBSHOP_URL: "the demo web shop's database, when --webshop is not given",
  OMBUD_DEMO_CUSTOMER_SERVICE_URL:
    "the demo customer service's database, when --customer-service is not given",
  OMBUD_REGISTER: "the group's register folder, applied at the start (as --register)",
  OMBUD_SYSTEMS: "the group's systems file (as --systems; docs/systems.md)",
  OMBUD_ROLE: 'what `ombud start` runs when --role is not given: all (default), api or worker',
  OMBUD_JOB_TIMEOUT_SECONDS:
    'a job (fulfilment, retention run, webhook) still running after this long is taken as lost with its worker and run again (default 900)',
  OMBUD_QUEUE_MAINTENANCE_SECONDS: 'how often a worker looks for lost jobs (default 120)',
  OMBUD_RETENTION_RETRY_SECONDS:
    'the first wait before a failed daily retention run is retried, doubling (default 300)',
  USER: 'named in the audit entries the command writes (actor cli:USER)',
} as const;

export type EnvName = keyof typeof ENVIRONMENT;

/** The variables of every command that opens Ombud's database. */
export const DATABASE_ENV = [
  'DATABASE_URL',
  'OMBUD_DATA_DIR',
  'OMBUD_SECRET_KEYS',
  'OMBUD_AUDIT_KEY_FILE',
] as const satisfies readonly EnvName[];

/** The options every command has besides its own. */
export const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };
export const JSON_OPTION = (what: string): OptionSpec => ({
  type: 'boolean',
  description: `print one JSON document on stdout: ${what}`,
});

/** All options of a command as parsed: its own, --json where offered, --help. */
export function allOptions(spec: CommandSpec): Record<string, OptionSpec> {
  return {
    ...spec.options,
    ...(spec.json ? { json: JSON_OPTION(spec.json) } : {}),
    help: HELP_OPTION,
  };
}

/** `--help` or `-h` before a `--`: the help wins over anything else on the line. */
export function asksForHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/**
 * Parse a command's arguments with its spec: unknown options, a missing value, a value not among the
 * choices, a missing required option or argument and a surplus argument are usage errors.
 */
export function parseCommand(
  spec: CommandSpec,
  args: string[],
  env: Record<string, string | undefined> = process.env,
): { values: Record<string, unknown>; positionals: string[] } {
  const options = allOptions(spec);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: (spec.args?.length ?? 0) > 0,
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [
          name,
          { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
        ]),
      ),
    });
  } catch (err) {
    if (isParseArgsError(err)) throw new UsageError(parseArgsMessage(err.message));
    throw err;
  }
  const values: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(options)) {
    let v = parsed.values[name] as string | boolean | (string | boolean)[] | undefined;
    if (v === undefined && o.env && env[o.env]) v = o.multiple ? [env[o.env]!] : env[o.env];
    if (v === undefined) v = o.multiple ? [] : o.type === 'boolean' ? false : o.default;
    if (o.choices && v !== undefined)
      for (const one of Array.isArray(v) ? v : [v])
        if (!o.choices.includes(String(one)))
          throw new UsageError(`--${name} must be one of ${o.choices.join(', ')} (got '${String(one)}').`);
    if (o.required && (v === undefined || (Array.isArray(v) && v.length === 0)))
      throw new UsageError(`--${name} is required${o.value ? ` (--${name} ${o.value})` : ''}.`);
    values[name] = v;
  }
  const positionals = parsed.positionals;
  const argSpecs = spec.args ?? [];
  const required = argSpecs.filter((a) => a.required);
  if (positionals.length < required.length)
    throw new UsageError(`missing ${required[positionals.length]!.name}.`);
  if (!argSpecs.some((a) => a.multiple) && positionals.length > argSpecs.length)
    throw new UsageError(`unexpected argument '${positionals[argSpecs.length]}'.`);
  return { values, positionals };
}

function isParseArgsError(err: unknown): err is TypeError & { code: string } {
  return (
    err instanceof TypeError &&
    'code' in err &&
    String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')
  );
}

/** Node's message, without its advice about '--' (the help says how to call the command). */
function parseArgsMessage(message: string): string {
  const m = message.replace(/\. To specify a positional argument.*$/s, '').trim();
  return m.endsWith('.') ? m : `${m}.`;
}
