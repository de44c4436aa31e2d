/**
 * The command table of `ombud`: one spec per command, from which its arguments are parsed and its `--help`
 * is written (src/cli/spec.ts, help.ts). Each command's code is in ./commands, typed from its spec here,
 * and loaded on demand through ./loaders.ts, so `ombud register validate` does not start a database and
 * `--help` loads nothing.
 */
import { LANGUAGES } from '../core/register/schema.ts';
import { type CommandSpec, DATABASE_ENV, defineCommand } from './spec.ts';

const WRITES = [...DATABASE_ENV, 'USER'] as const;

/** The options of the commands that act on rows in the group's databases (src/cli/systems.ts). */
const SYSTEMS = {
  datasets: {
    type: 'string',
    value: 'DIR',
    description: "the dataset annotations (default: the demo group's, examples/nestit/datasets)",
  },
  connection: {
    type: 'string',
    value: 'KEY=URL',
    multiple: true,
    description: 'the database of dataset KEY',
  },
  demo: { type: 'boolean', description: "the demo's own systems (embedded, or on DATABASE_URL)" },
} as const;

export const COMMANDS = {
  start: defineCommand({
    summary:
      'Start the server (embedded database unless DATABASE_URL is set) with the demo group or your own',
    description:
      "Open the database (migrating it), load the demo group (its register, notices, systems and a first administrator) unless --no-demo or --register, start the workers and listen. With --register DIR the group's own register is applied and the systems of its systems file (--systems, or ombud.yaml in DIR) are connected: fulfilment, retention and the subject locator run over them; without a systems file requests wait for agents. Without SMTP_URL the demo's SMTP catcher receives the mail. Runs until SIGINT or SIGTERM. With --role, a process is only the HTTP server (api) or only the background work (worker); any number of each share one PostgreSQL server (docs/deploy.md). Every setting is in the README's Configuration section.",
    options: {
      'no-demo': { type: 'boolean', description: 'Do not load the demo group and its systems' },
      role: {
        type: 'string',
        choices: ['all', 'api', 'worker'],
        default: 'all',
        env: 'OMBUD_ROLE',
        value: 'ROLE',
        description:
          'api: the HTTP server only (it queues the work); worker: the jobs (fulfilment, retention, webhooks, audit checkpoints), no HTTP; all: both',
      },
      register: {
        type: 'string',
        value: 'DIR',
        env: 'OMBUD_REGISTER',
        description:
          "the group's register, applied at the start (a new revision only when it changed); the demo is not loaded",
      },
      systems: {
        type: 'string',
        value: 'FILE',
        env: 'OMBUD_SYSTEMS',
        description:
          "the group's systems (docs/systems.md); default ombud.yaml in the --register folder; without one, no systems are connected",
      },
    },
    env: [
      ...DATABASE_ENV,
      'PORT',
      'HOST',
      'OMBUD_PUBLIC_URL',
      'LOG_LEVEL',
      'OMBUD_LOG_FORMAT',
      'OMBUD_METRICS_TOKEN',
      'OMBUD_SECRET',
      'SMTP_URL',
      'MAIL_FROM',
      'OMBUD_MAIL_CATCHER_PORT',
      'OMBUD_DEMO_PASSWORD',
      'OMBUD_CHROMIUM',
      'OMBUD_AUDIT_SIGNING_KEY',
      'OMBUD_AUDIT_CHECKPOINT_DIR',
      'OMBUD_AUDIT_CHECKPOINT_URL',
      'OMBUD_AUDIT_CHECKPOINT_MAIL',
      'OMBUD_OIDC_PROVIDERS',
      'OMBUD_SSO_ONLY',
      'OMBUD_REGISTER',
      'OMBUD_SYSTEMS',
      'OMBUD_ROLE',
      'OMBUD_JOB_TIMEOUT_SECONDS',
      'OMBUD_QUEUE_MAINTENANCE_SECONDS',
      'OMBUD_RETENTION_RETRY_SECONDS',
    ],
    exits: {
      0: 'stopped by SIGINT or SIGTERM',
      1: 'could not start (a bad setting is named, never its value)',
    },
    examples: [
      'ombud start',
      'DATABASE_URL=postgres://ombud@127.0.0.1:5432/ombud PORT=8080 ombud start --register ./register',
      'ombud start --register ./register --systems ./ombud.yaml',
      'DATABASE_URL=postgres://ombud@127.0.0.1:5432/ombud PORT=8080 ombud start --no-demo',
      'DATABASE_URL=postgres://ombud@db:5432/ombud ombud start --role worker',
    ],
  }),
  'register validate': defineCommand({
    summary: 'Validate a register folder; every finding at file:line:column',
    description:
      'Read the YAML files of a register folder and check them against the schema and the rules beyond it (references, legal bases, transfers, retention, …). Nothing is stored and no database is opened.',
    args: [{ name: 'DIR', description: 'the register folder', required: true }],
    options: {
      quiet: { type: 'boolean', short: 'q', description: 'Leave out the notes (info findings)' },
    },
    json: '{ ok, files, errors, warnings, notes, findings: [{ file, line, column, severity, code, message, hint, target }], summary }',
    env: [],
    exits: { 0: 'the register is valid (it may have warnings)', 1: 'the register is not valid' },
    examples: [
      'ombud register validate examples/nestit/register',
      'ombud register validate reg/ --json | jq .errors',
    ],
  }),
  'register apply': defineCommand({
    summary: 'Store a new register revision from a folder (nothing when unchanged)',
    description:
      'Validate the register folder and store it as a new immutable revision, with an audit entry. The same content as the current revision stores nothing. An invalid register is refused and nothing is stored.',
    args: [{ name: 'DIR', description: 'the register folder', required: true }],
    options: {},
    json: '{ ok, changed, revision, changes: [{ section, id, change, fields? }], warnings: [finding] } (not valid: { ok: false, changed: false, findings })',
    env: WRITES,
    exits: { 0: 'stored, or unchanged', 1: 'the register is not valid; nothing was stored' },
    examples: ['ombud register apply examples/nestit/register'],
  }),
  'register diff': defineCommand({
    summary: 'Compare a folder, or two stored revisions, with the stored register',
    description:
      'With DIR: the changes from the current stored revision to the folder. Without: the changes between two stored revisions (default the latest and the one before it).',
    args: [{ name: 'DIR', description: 'a register folder to compare with the current revision' }],
    options: {
      from: { type: 'string', value: 'N', description: 'the older revision (default: the one before --to)' },
      to: { type: 'string', value: 'M', description: 'the newer revision (default: the current one)' },
    },
    json: '{ from, to, changes: [{ section, id, change, fields? }] }',
    env: DATABASE_ENV,
    exits: { 0: 'compared (with or without changes)', 1: 'the folder is not valid, or no such revision' },
    examples: ['ombud register diff examples/nestit/register', 'ombud register diff --from 3 --to 5 --json'],
  }),
  'register schema': defineCommand({
    summary: 'Print the JSON Schema of register files',
    description:
      'Print the JSON Schema (2020-12) the register files are validated with; editors use it for completion (schema/register.schema.json is this output).',
    options: {},
    env: [],
    exits: { 0: 'printed', 1: 'never' },
    examples: ['ombud register schema > schema/register.schema.json'],
  }),
  'notice render': defineCommand({
    summary: 'Render the privacy notice of an organization as HTML or Markdown',
    description:
      'Render the notice of one organization in one language, from the stored register (with its published versions) or, with --register, from a register folder without a database.',
    options: {
      org: { type: 'string', value: 'ID', required: true, description: 'the organization' },
      lang: { type: 'string', choices: LANGUAGES, default: 'en', description: 'the language' },
      format: { type: 'string', choices: ['html', 'md'], default: 'html', description: 'HTML or Markdown' },
      out: { type: 'string', short: 'o', value: 'FILE', description: 'write to FILE instead of stdout' },
      register: {
        type: 'string',
        value: 'DIR',
        description: 'render from a register folder instead of the stored register',
      },
    },
    env: DATABASE_ENV,
    exits: {
      0: 'rendered',
      1: 'no register is stored, no such organization, or the register folder is not valid',
    },
    examples: ['ombud notice render --org nestit-group --lang sv --format md -o notice.sv.md'],
  }),
  'notice publish': defineCommand({
    summary: 'Publish an immutable notice version of an organization (or all)',
    description:
      'Publish the notice of the current register as a new immutable version, effective from a date. Nothing is published when it has not changed. Material changes must be announced: an effective date inside the announcement period is refused unless --force gives the reason.',
    usage: '(--org ID | --all) --effective YYYY-MM-DD [--force REASON] [--json]',
    options: {
      org: { type: 'string', value: 'ID', description: 'the organization' },
      all: { type: 'boolean', description: 'every organization of the register' },
      effective: {
        type: 'string',
        value: 'YYYY-MM-DD',
        required: true,
        description: 'the day the version takes effect',
      },
      force: {
        type: 'string',
        value: 'REASON',
        description: 'publish material changes before the announcement period ends, for this reason',
      },
    },
    json: '{ notices: [{ organization, published, version, effectiveDate, material, changes }] }',
    env: WRITES,
    exits: { 0: 'published, or unchanged', 1: 'refused (an early effective date, no register)' },
    examples: ['ombud notice publish --all --effective 2026-07-01'],
  }),
  'notice diff': defineCommand({
    summary: 'List the changes between notice versions, material or not',
    description:
      'The changes between two published versions of an organization’s notice, each classified material or not with its reason. Without --to: between the latest version (or --from) and the current, unpublished register.',
    options: {
      org: { type: 'string', value: 'ID', required: true, description: 'the organization' },
      from: {
        type: 'string',
        value: 'N',
        description: 'the older version (default: the one before --to, or the latest)',
      },
      to: { type: 'string', value: 'M', description: 'the newer version (default: the current register)' },
    },
    json: '{ organization, from, to, changes: [{ kind, material, reason, … }] }',
    env: DATABASE_ENV,
    exits: { 0: 'compared', 1: 'no such version or organization' },
    examples: [
      'ombud notice diff --org nestit-ab',
      'ombud notice diff --org nestit-ab --from 1 --to 2 --json',
    ],
  }),
  'ropa export': defineCommand({
    summary: 'Export the record of processing activities (Art. 30) as CSV or JSON',
    description:
      'The Art. 30(1) record of one controller from the current register, with an audit entry. Printed on stdout, or written to a file with --out.',
    options: {
      org: { type: 'string', value: 'ID', required: true, description: 'the controller' },
      format: {
        type: 'string',
        choices: ['csv', 'json'],
        default: 'csv',
        description: 'the format of the record',
      },
      out: { type: 'string', short: 'o', value: 'FILE', description: 'write to FILE instead of stdout' },
    },
    json: 'with --out, { organization, registerRevision, format, file, activities } (without --out the record itself is the output)',
    env: WRITES,
    exits: { 0: 'exported', 1: 'no register is stored, or no such organization' },
    examples: ['ombud ropa export --org nestit-ab --format csv -o ropa.csv --json'],
  }),
  'admin create': defineCommand({
    summary: 'Create an administrator (group owner) who signs in to the console',
    description:
      'Create a person with the owner role of the whole group. The password comes from --password or, better (it stays out of the shell history), from standard input.',
    options: {
      email: { type: 'string', value: 'EMAIL', required: true, description: 'the sign-in address' },
      password: { type: 'string', value: 'PASSWORD', description: 'the password (default: read from stdin)' },
      name: { type: 'string', value: 'NAME', description: 'the display name' },
    },
    json: '{ id }',
    env: WRITES,
    exits: { 0: 'created', 1: 'refused (a weak password, the address is taken)' },
    examples: [
      "printf '%s\\n' \"$PASSWORD\" | ombud admin create --email dpo@example.com --name 'Data protection officer'",
    ],
  }),
  'apikey create': defineCommand({
    summary: 'Create an API key for a system, scoped to companies and permissions',
    description:
      'Create an API key for a system (shop, customer service) with the given permissions in the given organizations. The key is printed once; only its hash is stored.',
    options: {
      name: { type: 'string', value: 'NAME', required: true, description: 'what the key is for' },
      org: {
        type: 'string',
        value: 'ID',
        multiple: true,
        required: true,
        description: 'an organization it acts in',
      },
      permission: {
        type: 'string',
        value: 'PERMISSION',
        multiple: true,
        required: true,
        description: 'a permission it holds (e.g. consent:write)',
      },
      'expires-days': {
        type: 'string',
        value: 'DAYS',
        default: '90',
        description: 'days until it expires, or never',
      },
    },
    json: '{ id, prefix, key, name, orgIds, permissions, createdAt, expiresAt, revokedAt, lastUsedAt, rotatedFrom } (the key only here)',
    env: WRITES,
    exits: { 0: 'created', 1: 'refused (a permission an API key cannot hold, an unknown organization)' },
    examples: [
      'ombud apikey create --name webshop --org nestit-ab --permission consent:write --permission requests:create',
    ],
  }),
  'apikey list': defineCommand({
    summary: 'List the API keys: prefix, scope, expiry, last use (never the key)',
    description:
      'List every API key with its prefix, organizations, permissions, expiry or revocation, and last use.',
    options: {},
    json: '{ keys: [{ id, prefix, name, orgIds, permissions, createdAt, expiresAt, revokedAt, lastUsedAt, rotatedFrom }] }',
    env: DATABASE_ENV,
    exits: { 0: 'listed', 1: 'never' },
    examples: ['ombud apikey list --json'],
  }),
  'apikey revoke': defineCommand({
    summary: 'Revoke an API key: it stops working at once',
    description: 'Revoke an API key; requests with it are refused from now on (within the key cache time).',
    args: [{ name: 'ID', description: 'the key id (from apikey list)', required: true }],
    options: {},
    json: 'the revoked key: { id, prefix, name, orgIds, permissions, …, revokedAt }',
    env: WRITES,
    exits: { 0: 'revoked', 1: 'no such key' },
    examples: ['ombud apikey revoke 3f0c…'],
  }),
  'apikey rotate': defineCommand({
    summary: 'Replace an API key by a new one with the same scope',
    description:
      'Revoke an API key and create a new one with the same name, organizations and permissions. The new key is printed once.',
    args: [{ name: 'ID', description: 'the key id (from apikey list)', required: true }],
    options: {},
    json: 'the new key: { id, prefix, key, name, orgIds, permissions, …, rotatedFrom }',
    env: WRITES,
    exits: { 0: 'rotated', 1: 'no such key' },
    examples: ['ombud apikey rotate 3f0c… --json | jq -r .key'],
  }),
  'secrets reseal': defineCommand({
    summary: 'Re-encrypt stored secrets under the newest key of OMBUD_SECRET_KEYS (key rotation)',
    description:
      'Re-encrypt every secret stored at rest (connector credentials, …) under the newest key of OMBUD_SECRET_KEYS, so older keys can be removed.',
    options: {},
    json: '{ resealed, key }',
    env: WRITES,
    exits: {
      0: 'resealed',
      1: 'OMBUD_SECRET_KEYS is not set, or a secret is sealed under a key it no longer holds',
    },
    examples: ['OMBUD_SECRET_KEYS=2025:…,2026:… ombud secrets reseal'],
  }),
  'demo seed': defineCommand({
    summary: "Create and fill the demo's web-shop and customer-service databases",
    description:
      'Fill the demo systems with N generated customers (the same rows for the same seed), on PostgreSQL or MariaDB/MySQL. With --create the tables are created first (indexes after the rows).',
    usage: '[--customers N] [--seed S] (--webshop URL | --customer-service URL …) [--create] [--json]',
    options: {
      customers: { type: 'string', value: 'N', default: '1000', description: 'how many customers' },
      seed: { type: 'string', value: 'S', default: '42', description: 'the random seed' },
      webshop: {
        type: 'string',
        value: 'URL',
        env: 'OMBUD_DEMO_WEBSHOP_URL',
        description: "the web shop's database (postgres://… or mysql://…)",
      },
      'customer-service': {
        type: 'string',
        value: 'URL',
        env: 'OMBUD_DEMO_CUSTOMER_SERVICE_URL',
        description: "the customer service's database (postgres://… or mysql://…)",
      },
      create: { type: 'boolean', description: 'create the tables first' },
    },
    json: '{ counts: { <table>: rows }, seconds }',
    env: ['OMBUD_DEMO_WEBSHOP_URL', 'OMBUD_DEMO_CUSTOMER_SERVICE_URL'],
    progress: 'customers seeded per system',
    exits: { 0: 'seeded', 1: 'a database refused the rows' },
    examples: [
      'ombud demo seed --customers 100000 --create --webshop postgres://127.0.0.1/shop --customer-service mysql://root@127.0.0.1/cs',
    ],
  }),
  'dataset generate': defineCommand({
    summary: 'Draft a dataset annotation (YAML) from a live database schema',
    description:
      'Read the tables, columns and foreign keys of a live database and print a draft dataset annotation (fideslang YAML with the ombud extensions) to complete by hand.',
    options: {
      connection: {
        type: 'string',
        value: 'URL',
        required: true,
        description: 'the database (postgres://… or mysql://…)',
      },
      key: {
        type: 'string',
        value: 'KEY',
        required: true,
        description: 'the dataset key (lower-case, underscores)',
      },
      system: {
        type: 'string',
        value: 'ID',
        description: "the register's system (default: the key with dashes)",
      },
    },
    env: [],
    exits: { 0: 'printed', 1: 'the database could not be read' },
    examples: [
      'ombud dataset generate --connection postgres://127.0.0.1/shop --key nestit_webshop --system webshop > webshop.yaml',
    ],
  }),
  'dataset discover': defineCommand({
    summary: 'Find personal data in a live database and draft its annotation',
    description:
      "Sample every column of a live database inside it (at most --sample non-empty values per column, read as text) and classify each: e-mail addresses, phone numbers, Swedish personnummer and samordningsnummer, Norwegian fødselsnummer and D-nummer, IBANs, payment card numbers (each by its check digits), postal codes, street addresses, cities, countries, people's names, customer numbers, user names, and free text that holds any of these. Prints the draft dataset annotation (YAML) with each found column's fideslang category and, in its description, the counts and a confidence. Values are never printed, logged or written; only kinds and counts are.",
    options: {
      connection: {
        type: 'string',
        value: 'URL',
        required: true,
        description: 'the database (postgres://…, mysql://… or pglite:///data/dir)',
      },
      key: {
        type: 'string',
        value: 'KEY',
        required: true,
        description: 'the dataset key (lower-case, underscores)',
      },
      system: {
        type: 'string',
        value: 'ID',
        description: "the register's system (default: the key with dashes)",
      },
      sample: {
        type: 'string',
        value: 'N',
        default: '200',
        description: 'the most values sampled per column (1–5000)',
      },
    },
    json: '{ dataset, columnsSampled, valuesSampled, unreadable: [{ table, column }], findings: [{ table, column, kind, category, confidence, sampled, matched, contains? }], annotation }',
    env: [],
    exits: { 0: 'printed', 1: 'the database could not be read' },
    examples: [
      'ombud dataset discover --connection postgres://127.0.0.1/shop --key nestit_webshop --system webshop > webshop.yaml',
      'ombud dataset discover --connection mysql://root@127.0.0.1/cs --key nestit_customer_service --sample 500 --json',
    ],
  }),
  'dataset validate': defineCommand({
    summary: 'Check dataset annotations against themselves, the live databases and the register',
    description:
      'Check dataset annotations: their own consistency, each live database given with --connection (tables and columns exist, and drift: columns that hold personal data by a sample of their values, as `ombud dataset discover` finds it, but are not annotated or are annotated as not personal data, reported as warnings) and, with --register, the register (systems, data categories, retention rules).',
    args: [
      {
        name: 'FILE',
        description: 'a dataset annotation (YAML; Fides datasets with an ombud: block), or a folder of them',
        required: true,
        multiple: true,
      },
    ],
    options: {
      connection: {
        type: 'string',
        value: 'KEY=URL',
        multiple: true,
        description: 'the live database of a dataset (KEY defaults to the first dataset)',
      },
      register: { type: 'string', value: 'DIR', description: 'the register folder to check against' },
      'no-drift': {
        type: 'boolean',
        description: 'do not sample the live databases for personal data that is not annotated',
      },
    },
    json: '{ ok, datasets, collections, errors, warnings, findings: [{ severity, file, line, column, message, hint }] }',
    env: [],
    exits: {
      0: 'no errors (there may be warnings)',
      1: 'errors (at file:line:column), or the register does not parse',
    },
    examples: [
      'ombud dataset validate examples/nestit/datasets/webshop.yaml --connection nestit_webshop=postgres://127.0.0.1/shop --register examples/nestit/register',
    ],
  }),
  'audience hash': defineCommand({
    summary: "Hash identifiers by an ad network's rule, one per line (to check a rule by hand)",
    description:
      "Read one identifier per line on stdin, normalise it by the network's published rule (src/core/audience/hashing.ts: google-ads, google-data-manager, meta; the current version of each) and write its SHA-256 as lowercase hex, one per line. A line that cannot be normalised (not an e-mail address; a phone number without a country and no --default-country) is reported on stderr by its line number, never its value, and the exit code is 1; nothing is written for it. Empty lines are skipped.",
    options: {
      rule: {
        type: 'string',
        choices: ['google-ads', 'google-data-manager', 'meta'],
        required: true,
        value: 'RULE',
        description: 'the network whose rule to follow',
      },
      field: {
        type: 'string',
        choices: ['email', 'phone'],
        required: true,
        value: 'FIELD',
        description: 'what the lines are',
      },
      'default-country': {
        type: 'string',
        value: 'CC',
        description: 'the country of phone numbers written without "+" or "00" (ISO 3166-1 alpha-2, e.g. SE)',
      },
    },
    env: [],
    exits: {
      0: 'every line was hashed',
      1: 'a line could not be normalised (its number is on stderr)',
    },
    examples: [
      "printf 'Jane.Doe@gmail.com\\n' | ombud audience hash --rule google-data-manager --field email",
      "printf '070-123 45 67\\n' | ombud audience hash --rule meta --field phone --default-country SE",
    ],
  }),
  'audience export': defineCommand({
    summary: "Export an audience segment now: the network's upload file and the delta since the last export",
    description:
      "Build a segment of the register (issue #14, P44) from the connected databases through the dataset annotations, leave out objections, restrictions and missing consent, hash the identifiers by the network's rule and write the files (the whole segment, the members to add, the members to remove) into --out. The files hold only hashes. The export is recorded (counts, rule version, purpose, who ran it) and audited.",
    usage: 'ORG SEGMENT [--out DIR] [--datasets DIR] (--connection KEY=URL … | --demo) [--json]',
    args: [
      { name: 'ORG', description: 'the company (organization id)', required: true },
      { name: 'SEGMENT', description: 'the segment id of the register', required: true },
    ],
    options: {
      out: { type: 'string', value: 'DIR', default: '.', description: 'where the files are written' },
      ...SYSTEMS,
    },
    json: '{ id, orgId, segmentId, purposeId, legalBasis, recipient, ruleId, kind, createdAt, createdBy, candidates, members, added, removed, skipped, excluded, files: [{ name, role, mediaType, rows }] }',
    env: WRITES,
    exits: {
      0: 'the export is recorded and its files written',
      1: 'no register, or the segment cannot be built',
    },
    examples: ['ombud audience export nestit-sverige recent-buyers-se-google --demo --out exports/'],
  }),
  'connector validate': defineCommand({
    summary: 'Check declarative SaaS connectors (YAML) before any request runs',
    description:
      'Check SaaS connector files (docs/connectors/saas.md): the schema (authentication, collections, requests, paging, filters, rate limit), the placeholders (identities, settings, secrets, the record read, other collections), the order of the reads and what the connector can do. Every finding is located at file:line:column. Nothing is sent to the vendor.',
    args: [
      {
        name: 'FILE',
        description: 'a connector file (YAML), or a folder of them',
        required: true,
        multiple: true,
      },
    ],
    options: {},
    json: '{ ok, connectors: [{ file, connector, actions, collections }], errors, warnings, findings: [{ severity, file, line, column, message, hint }] }',
    env: [],
    exits: { 0: 'no errors (there may be warnings)', 1: 'errors (at file:line:column)' },
    examples: ['ombud connector validate connectors/mailchimp.yaml', 'ombud connector validate connectors'],
  }),
  'connector import': defineCommand({
    summary: 'Turn a Fides saas_config into an Ombud connector',
    description:
      "Read a Fides saas_config file (its connector_params, client_config, endpoints with read, update and delete requests, param_values, postprocessors and pagination) and write the Ombud connector (docs/connectors/saas.md says what is carried over). With --dataset, the Fides dataset says which fields a body's <masked_object_fields> masks. What cannot be carried over is reported at file:line:column and left out. The result is validated as `connector validate` does; each request's doc is a placeholder to replace with the vendor's document.",
    args: [{ name: 'FILE', description: 'a Fides saas_config (YAML)', required: true }],
    options: {
      dataset: { type: 'string', value: 'FILE', description: "the connector's Fides dataset (for masking)" },
      out: {
        type: 'string',
        value: 'FILE',
        description: 'write the connector here (default: standard output)',
      },
    },
    json: '{ ok, connector, actions, errors, warnings, findings: [{ severity, file, line, column, message, hint }], out }',
    env: [],
    exits: {
      0: 'imported (there may be warnings)',
      1: 'errors: the file is not a saas_config or the result is not valid',
    },
    examples: [
      'ombud connector import mailchimp_config.yml --dataset mailchimp_dataset.yml --out connectors/mailchimp-fides.yaml',
    ],
  }),
  'retention run': defineCommand({
    summary: 'Enforce retention once: erase what has ended, keep what a law requires (or --dry-run)',
    description:
      "Sweep the connected databases once for a day (default today in the controller's time zone): erase the rows whose retention has ended, keep those a legal rule requires until it ends. --dry-run counts and changes nothing. Systems outside the databases that hold data under a rule that has ended are asked too: through their HTTP connector (OMBUD_PUBLIC_URL for callbacks, OMBUD_SECRET_KEYS for the connector's secret), or by a manual task per rule and month. Every run is stored and audited. A run may not be for a day after today (it would erase early); a dry run may.",
    usage: '[--dry-run] [--today YYYY-MM-DD] [--datasets DIR] (--connection KEY=URL … | --demo) [--json]',
    options: {
      'dry-run': { type: 'boolean', description: 'count what would be done; change nothing' },
      today: { type: 'string', value: 'YYYY-MM-DD', description: 'the day to sweep for (default: today)' },
      ...SYSTEMS,
    },
    json: '{ runId, today, dryRun, status, alreadyDone, seconds, totals: { delete, anonymise, mask, erase-due, keep, held, blocked }, datasets: [{ dataset, system, status, recovered, error?, outcomes: [{ collection, rule, action, detail, rows }] }], outside: [{ system, rule, via, action, expiredBefore, status, deliveryId, deleted, anonymised, kept, message, error, attempts, taskId, taskOpened }] }',
    env: WRITES,
    progress: 'the database and collection being swept, and the time so far',
    exits: {
      0: 'the run is done',
      1: 'a database or a system asked through its HTTP connector failed, the annotations have errors, or no register is stored',
    },
    examples: [
      'ombud retention run --dry-run --today 2027-01-01 --demo',
      'ombud retention run --connection nestit_webshop=postgres://127.0.0.1/shop --connection nestit_customer_service=mysql://root@127.0.0.1/cs --json',
    ],
  }),
  'hold place': defineCommand({
    summary: "Place a legal hold: keep a subject's, a system's or a collection's rows past their rules",
    description:
      "Place a legal hold for a company: an authority's decision, a dispute or legal claim, or a legal rule of the register. Every row of its scope is marked in the group's databases, so retention runs and erasure keep it (and say so) until the hold is lifted. The scope is a data subject in every system (--email and/or --customer-number; stored only as keyed hashes), a system (--system) or a collection (--collection DATASET.COLLECTION). Audited.",
    usage:
      '--org ID --reason-kind KIND [--rule ID] --reason TEXT (--email EMAIL | --customer-number N | --system ID | --collection DATASET.COLLECTION) --review-on YYYY-MM-DD [--datasets DIR] (--connection KEY=URL … | --demo) [--json]',
    options: {
      org: {
        type: 'string',
        value: 'ID',
        required: true,
        description: 'the company (controller) placing it',
      },
      'reason-kind': {
        type: 'string',
        value: 'KIND',
        required: true,
        choices: ['authority-decision', 'dispute', 'legal-rule'],
        description: 'authority-decision, dispute or legal-rule',
      },
      rule: { type: 'string', value: 'ID', description: "with legal-rule: the register's legal rule" },
      reason: {
        type: 'string',
        value: 'TEXT',
        required: true,
        description: 'the decision, dispute or rule (a case number, not a name)',
      },
      email: { type: 'string', value: 'EMAIL', description: "the data subject's e-mail address" },
      'customer-number': { type: 'string', value: 'N', description: "the data subject's customer number" },
      system: { type: 'string', value: 'ID', description: 'every row of a system' },
      collection: { type: 'string', value: 'DATASET.COLLECTION', description: 'every row of a collection' },
      'review-on': {
        type: 'string',
        value: 'YYYY-MM-DD',
        required: true,
        description: 'the day someone checks whether it is still needed',
      },
      ...SYSTEMS,
    },
    json: '{ id, orgId, reasonKind, ruleId, reason, scope: { kind, identifiedBy?, system?, dataset?, collection? }, reviewOn, review, rowsHeld, placedBy, placedAt, liftedBy, liftedAt, liftReason }',
    env: [...WRITES, 'OMBUD_SECRET'],
    exits: {
      0: 'placed',
      1: 'refused: a field is wrong (named with its path), no register is stored, or a database failed',
    },
    examples: [
      "ombud hold place --org nestit-sverige --reason-kind dispute --reason 'Case T 1234-26, Stockholm district court' --customer-number C0000042 --review-on 2027-03-01 --demo",
      "ombud hold place --org provendo --reason-kind authority-decision --reason 'Datatilsynet 26/01234' --collection nestit_customer_service.cases --review-on 2027-01-15 --demo --json",
    ],
  }),
  'hold lift': defineCommand({
    summary: 'Lift a legal hold: its rows follow their rules again from the next run',
    description:
      "Lift a legal hold: its markers come off the rows (each gets back the marker it had before, or another standing hold's), so the next retention run and erasure act on them. The hold is kept, lifted, with who, when and why. Audited.",
    usage: 'ID --reason TEXT [--datasets DIR] (--connection KEY=URL … | --demo) [--json]',
    args: [{ name: 'ID', description: 'the hold id (from hold list)', required: true }],
    options: {
      reason: { type: 'string', value: 'TEXT', required: true, description: 'why the hold ends' },
      ...SYSTEMS,
    },
    json: 'the lifted hold, with markersRemoved and markersRestored',
    env: WRITES,
    exits: { 0: 'lifted', 1: 'no such hold, lifted already, or a database failed' },
    examples: ["ombud hold lift 3f0c… --reason 'Settled on 2027-02-01' --demo"],
  }),
  'hold list': defineCommand({
    summary: 'List the legal holds, those due for review first marked',
    description:
      'List the legal holds (newest first) with their reason, scope, review day and whether they are standing, due for review or lifted. A data subject is shown only as "a data subject".',
    options: {
      org: { type: 'string', value: 'ID', description: "only this company's holds" },
      standing: { type: 'boolean', description: 'only holds not lifted' },
    },
    json: '{ today, holds: [{ id, orgId, reasonKind, ruleId, reason, scope, reviewOn, review, rowsHeld, placedBy, placedAt, liftedBy, liftedAt, liftReason }] }',
    env: DATABASE_ENV,
    exits: { 0: 'listed', 1: 'no register is stored' },
    examples: [
      'ombud hold list --standing',
      'ombud hold list --json | jq \'.holds[] | select(.review != "later")\'',
    ],
  }),
  'breach record': defineCommand({
    summary: 'Record a personal data breach from a JSON file: the 72-hour clock runs from awareness',
    description:
      'Record a personal data breach: title, description, detectedAt, awareAt, window, affected collections (dataset, collection, timeField), containment, consequences, measures, people, orgIds, as the API takes them (POST /api/v1/breaches). Audited.',
    usage: '--file FILE [--json]',
    options: { file: { type: 'string', value: 'FILE', required: true, description: 'the breach as JSON' } },
    json: 'the breach: { id, reference, clock, … }',
    env: WRITES,
    exits: { 0: 'recorded', 1: 'refused: a field is wrong (named with its path)' },
    examples: ['ombud breach record --file breach.json'],
  }),
  'breach update': defineCommand({
    summary: 'Change a breach from a JSON file: what was learnt after it was recorded',
    description:
      'Change the facts of a breach learnt later: title, description, window, affected collections, containment, consequences, measures, people, delayReason, as the API takes them (PATCH /api/v1/breaches/:id); each field optional. Awareness and detection do not change (the 72-hour clock runs from awareness). A new window or new collections clear the stored scope: scope the breach again. Audited with the names of the fields changed.',
    usage: 'ID|REFERENCE --file FILE [--json]',
    args: [{ name: 'ID', description: 'the breach id or reference (B-2026-001)', required: true }],
    options: { file: { type: 'string', value: 'FILE', required: true, description: 'the changes as JSON' } },
    json: '{ id, reference, changed: [field], scopeCleared }',
    env: WRITES,
    exits: { 0: 'changed', 1: 'refused: no such breach, or a field is wrong (named with its path)' },
    examples: ['ombud breach update B-2026-001 --file changes.json'],
  }),
  'breach scope': defineCommand({
    summary: 'Scope a breach from the live data map: controllers, authorities, categories, people affected',
    description:
      "Count, in the group's databases, the people whose rows the breach touched (a count, never a copy), per controller with its supervisory authority, and the data categories (Art. 9 flagged) and purposes. Audited.",
    usage: 'ID|REFERENCE [--datasets DIR] (--connection KEY=URL … | --demo) [--json]',
    args: [{ name: 'ID', description: 'the breach id or reference (B-2026-001)', required: true }],
    options: { ...SYSTEMS },
    json: 'the scope: { controllers: [{ orgId, authorityId, lang, subjects, records, categories }], categories, purposes, subjects, … }',
    env: WRITES,
    exits: { 0: 'scoped', 1: 'no such breach, a collection unknown, or a database failed' },
    examples: ['ombud breach scope B-2026-001 --demo'],
  }),
  'breach list': defineCommand({
    summary: 'List the personal data breaches with their 72-hour clocks',
    description:
      'List the breaches (newest awareness first) with the state of their clock: running, due soon, overdue, notified or not required (documented).',
    options: {},
    json: '{ breaches: [{ id, reference, title, awareAt, deadline, clock, subjects }] }',
    env: DATABASE_ENV,
    exits: { 0: 'listed', 1: 'the database could not be opened' },
    examples: [
      'ombud breach list',
      'ombud breach list --json | jq \'.breaches[] | select(.clock == "overdue")\'',
    ],
  }),
  'analytics export': defineCommand({
    summary: 'Run an analytics export of the register: a k-threshold aggregate or pseudonymised rows',
    description:
      "Run one of a purpose's analytics exports (the register's `analytics` block) for a company over the annotated datasets: an aggregate hides every cell behind fewer than k distinct customers and enough other cells that none can be worked out from the totals (counts with noise where the export asks for it, charged to the purpose's privacy budget); a rows export gives each customer a keyed pseudonym of the export's series and never a direct identifier, free text or exact time. Customers who objected or are restricted are left out; channel behaviour counts only with the consents the export requires. The file goes to stdout (or --out); what it guaranteed to stderr. Stored and audited.",
    usage:
      '--org ID --purpose ID --export ID [--format json|csv|parquet] [--new-series] [--out FILE] [--datasets DIR] (--connection KEY=URL … | --demo) [--json]',
    options: {
      org: { type: 'string', value: 'ID', required: true, description: 'the company (controller)' },
      purpose: {
        type: 'string',
        value: 'ID',
        required: true,
        description: 'the purpose whose export to run',
      },
      export: { type: 'string', value: 'ID', required: true, description: "the export's id in the purpose" },
      format: {
        type: 'string',
        value: 'FORMAT',
        default: 'json',
        choices: ['json', 'csv', 'parquet'],
        description:
          'json (with the guarantee), csv, or parquet (typed columns, the guarantee in the metadata under ombud.guarantee; needs --out)',
      },
      'new-series': {
        type: 'boolean',
        description: 'rows exports: start a new pseudonym series (earlier files no longer match)',
      },
      out: { type: 'string', value: 'FILE', description: 'write the file here instead of stdout' },
      ...SYSTEMS,
    },
    json: '{ id, orgId, purposeId, exportId, kind, format, seriesId, guarantee: { kind, k, timePrecision, records, suppressed: { primary, complementary }, subjects, noise, pseudonym, excludes }, createdBy, createdAt } (the file then needs --out)',
    env: [...WRITES, 'OMBUD_SECRET'],
    exits: {
      0: 'exported',
      1: 'refused: unknown purpose or export, a definition that would give out an identifier, the privacy budget spent, or a database failed',
    },
    examples: [
      'ombud analytics export --org nestit-sverige --purpose customer-analyses --export orders-by-country-and-product --format csv --demo',
      'ombud analytics export --org provendo --purpose customer-analyses --export order-rows --out rows.json --demo --json',
      'ombud analytics export --org nestit-sverige --purpose customer-analyses --export orders-by-country-and-product --format parquet --out orders.parquet --demo',
    ],
  }),
  'analytics list': defineCommand({
    summary: 'List the analytics exports run, with what each guaranteed',
    description:
      'List the analytics exports (newest first): company, purpose, export, records, k, cells suppressed under k and with them, subjects left out, noise and budget spent, pseudonym series.',
    options: { org: { type: 'string', value: 'ID', description: "only this company's exports" } },
    json: '{ exports: [{ id, orgId, purposeId, exportId, kind, format, seriesId, guarantee, createdBy, createdAt }] }',
    env: DATABASE_ENV,
    exits: { 0: 'listed', 1: 'the database failed' },
    examples: ['ombud analytics list --org nestit-sverige'],
  }),
  'requests daily': defineCommand({
    summary:
      'Daily run of the request desk: digest to assignees, purge expired result files, send the outbox',
    description:
      'Mail each assignee a digest of their requests due soon, delete result files past their download period, and deliver the outbox. Requests without an assignee, the open fulfilment tasks counted per system, the legal holds whose review day has come or is within a week, and the personal data breaches whose 72-hour clock is due soon or overdue go to --fallback-to.',
    options: {
      'fallback-to': {
        type: 'string',
        value: 'EMAIL',
        description: 'who gets the digest of unassigned requests',
      },
    },
    json: '{ digestMails, openTasksBySystem, holdsToReview, breachesDue, resultFilesPurged, mailSent, mailFailed, smtp }',
    env: [...WRITES, 'SMTP_URL', 'MAIL_FROM', 'OMBUD_SECRET'],
    exits: { 0: 'done', 1: 'some mail could not be delivered (it stays in the outbox)' },
    examples: ['ombud requests daily --fallback-to dpo@example.com'],
  }),
  'audit verify': defineCommand({
    summary: 'Verify the audit log: the keyed hash chain, its head and the signed checkpoints exported',
    description:
      'Walk the whole audit log and check its keyed hash chain, that it ends at the separately kept head, and that it holds every signed checkpoint exported. Names the first bad entry.',
    options: {},
    json: '{ ok, cannotVerify?, count, seq?, problem?, keyed, unkeyed, keySources, checkpoint, head, warnings }',
    env: [...DATABASE_ENV, 'OMBUD_AUDIT_PUBLIC_KEY', 'OMBUD_AUDIT_SIGNING_KEY', 'OMBUD_AUDIT_CHECKPOINT_DIR'],
    progress: 'the entries checked so far',
    exits: {
      0: 'intact',
      1: 'broken: an entry was altered, removed or reordered, or the log ends early',
      3: 'could not be verified here: a key is missing (never a pass)',
    },
    examples: ['ombud audit verify', 'ombud audit verify --json | jq .ok'],
  }),
  'audit checkpoint': defineCommand({
    summary: 'Verify the audit log, then sign a checkpoint of its head and export it',
    description:
      "Verify the audit log since the last checkpoint, sign its head (Ed25519) and export the checkpoint: appended to the checkpoint file, mailed to the register's DPOs, POSTed to OMBUD_AUDIT_CHECKPOINT_URL. The server makes one a day by itself.",
    options: {},
    json: '{ seq, count, kid, at, file, createdKey, mailedTo, posted }',
    env: [
      ...WRITES,
      'OMBUD_AUDIT_SIGNING_KEY',
      'OMBUD_AUDIT_PUBLIC_KEY',
      'OMBUD_AUDIT_CHECKPOINT_DIR',
      'OMBUD_AUDIT_CHECKPOINT_URL',
      'OMBUD_AUDIT_CHECKPOINT_MAIL',
    ],
    progress: 'the entries checked so far',
    exits: {
      0: 'signed and exported',
      1: 'the log does not verify (nothing signed), a key is missing, or the POST failed',
    },
    examples: ['ombud audit checkpoint'],
  }),
  'systems check': defineCommand({
    summary: "Check the group's systems before a start: connections, annotations, rights",
    description:
      "Read the systems file (docs/systems.md; --systems FILE, or ombud.yaml in --register DIR), resolve its references, connect to every database and try every dataset annotation on it: the tables and annotated columns exist, the identity columns, and the rights the annotation needs (read, delete, update), each tried with a statement that touches no row in a transaction that is rolled back; the tables Ombud keeps there are writable or can be created. Each HTTP connector's address must answer. With --register the annotations are checked against the register too. Prints a table of OK and FAIL with the reasons; changes nothing.",
    usage: '[--systems FILE] [--register DIR] [--json]',
    options: {
      systems: {
        type: 'string',
        value: 'FILE',
        env: 'OMBUD_SYSTEMS',
        description: 'the systems file (default ombud.yaml in the --register folder)',
      },
      register: {
        type: 'string',
        value: 'DIR',
        env: 'OMBUD_REGISTER',
        description: 'the register folder the annotations are checked against',
      },
    },
    json: '{ ok, file, findings: [{ severity, file, line, column, message, hint }], checks: [{ target, check, status, detail, file, line, column }] }',
    env: ['OMBUD_SYSTEMS', 'OMBUD_REGISTER'],
    exits: {
      0: 'every check is OK (there may be warnings)',
      1: 'a check failed, or the systems file or an annotation has errors (at file:line:column)',
    },
    examples: [
      'ombud systems check --register ./register',
      'WEBSHOP_DB_URL=postgres://shop@db/shop ombud systems check --systems ./ombud.yaml --json',
    ],
  }),
  backup: defineCommand({
    summary: 'Back up the embedded database and the key files of its data directory into one archive',
    description:
      'Copy the embedded database (in OMBUD_DATA_DIR) and every other file of its data directory (the audit chain key, the checkpoint signing key, a data keyring, the exported checkpoints) into one archive: a ZIP file with manifest.json (row counts, migrations, checksums), database.tar.gz and files/. THE ARCHIVE HOLDS THE KEYS that open the sealed data and verify the audit log: keep it as safe as the data, or leave the keys out with --without-keys and keep them apart. The embedded database belongs to one process: stop the server for the few seconds of the copy. The database is copied as it is, never migrated, so take one before an upgrade. A PostgreSQL server is backed up with pg_dump instead (docs/backup.md).',
    args: [
      { name: 'FILE', description: 'the archive to write (outside the data directory)', required: true },
    ],
    options: {
      'without-keys': {
        type: 'boolean',
        description: 'leave the key files out of the archive (keep them apart, safely)',
      },
      force: { type: 'boolean', description: 'replace FILE when it exists' },
    },
    json: '{ file, bytes, createdAt, migrations, tables, rows, files, keys, leftOut, elsewhere }',
    env: [
      'OMBUD_DATA_DIR',
      'DATABASE_URL',
      'OMBUD_AUDIT_KEY_FILE',
      'OMBUD_AUDIT_SIGNING_KEY',
      'OMBUD_SECRET_KEYS',
      'OMBUD_SECRET',
    ],
    progress: 'the tables counted, then the copy and the writing of the archive',
    exits: {
      0: 'written',
      1: 'refused: DATABASE_URL is set (use pg_dump), no embedded database, the server is running, or FILE exists or is inside the data directory',
    },
    examples: ['ombud backup /backups/ombud-2026-12-07.zip', 'ombud backup ombud.zip --without-keys --json'],
  }),
  restore: defineCommand({
    summary: 'Restore the embedded database and its key files from an archive of ombud backup',
    description:
      'Check the archive whole (a damaged or foreign file is named with what is wrong, and nothing is written), then load its database and files into the data directory of OMBUD_DATA_DIR and count every table against the archive. A data directory that holds anything is refused unless --force, which moves it aside (to <dir>.before-restore-<time>; nothing is deleted). A backup of an older version is migrated at the next start. Then check the audit log with ombud audit verify.',
    args: [{ name: 'FILE', description: 'the archive ombud backup wrote', required: true }],
    options: {
      force: {
        type: 'boolean',
        description: 'restore over a data directory that holds something (it is moved aside, not deleted)',
      },
    },
    json: '{ file, dataDir, createdAt, migrations, tables, rows, files, leftOut, movedAside, newer }',
    env: ['OMBUD_DATA_DIR', 'DATABASE_URL'],
    progress: 'the check of the archive, the loading and the tables counted',
    exits: {
      0: 'restored, every table with the rows of the backup',
      1: 'refused: not a usable backup (named with what is wrong), the data directory is not empty (without --force) or in use, or DATABASE_URL is set (use pg_restore)',
    },
    examples: [
      'OMBUD_DATA_DIR=/srv/ombud-new ombud restore /backups/ombud-2026-12-07.zip',
      'ombud restore ombud.zip --force',
    ],
  }),
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;
