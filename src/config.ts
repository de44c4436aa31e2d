/**
 * Configuration from the environment, validated once at start. A bad setting stops the
 * start with a message naming the variable, what is wrong and how to fix it, never the value
 * (DATABASE_URL, SMTP_URL and OMBUD_SECRET carry passwords and keys).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { validationError } from './core/errors.ts';
import { parseSsoProviders, type SsoConfig } from './core/sso/providers.ts';

const schema = z.object({
  PORT: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be 1–65535')
    .max(65535, 'must be 1–65535')
    .default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  OMBUD_DATA_DIR: z.string().min(1).default('.ombud'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// (e.g. postgres://user@127.0.0.1:5432/ombud)')
    .optional(),
  OMBUD_PUBLIC_URL: z.url('must be an absolute URL such as https://privacy.example.com').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OMBUD_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  OMBUD_TRUST_PROXY: z.enum(['0', '1']).default('0'),
  OMBUD_SECRET_KEYS: z.string().optional(),
  OMBUD_PUBLIC_RATE_LIMIT: z.coerce.number({ error: 'must be a number' }).int().min(1).default(600),
  OMBUD_LOGIN_RATE_LIMIT: z.coerce.number({ error: 'must be a number' }).int().min(1).default(30),
  OMBUD_PROOF_RATE_LIMIT: z.coerce.number({ error: 'must be a number' }).int().min(1).default(30),
  OMBUD_PROOF_FLOOD_LIMIT: z.coerce.number({ error: 'must be a number' }).int().min(1).default(120_000),
  OMBUD_PROOF_BATCH_MAX: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1 (1: one INSERT per proof)')
    .max(1000, 'must be at most 1000')
    .default(200),
  OMBUD_API_KEY_CACHE_TTL_MS: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(0, 'must be 0 (no cache) or more')
    .max(60_000, 'must be at most 60000 (a revoked key must stop working within a minute)')
    .default(5000),
  OMBUD_REGISTER_CACHE_TTL_MS: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(0, 'must be 0 (check every time) or more')
    .max(60_000, 'must be at most 60000')
    .default(1000),
  OMBUD_JOB_TIMEOUT_SECONDS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(86_399, 'must be under a day (86399)')
    .default(900),
  OMBUD_QUEUE_MAINTENANCE_SECONDS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(3600, 'must be at most 3600')
    .default(120),
  OMBUD_RETENTION_RETRY_SECONDS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .default(300),
  OMBUD_REQUEST_FORM_LIMIT: z.coerce.number({ error: 'must be a number' }).int().min(1).default(20),
  OMBUD_REQUEST_RECIPIENT_LIMIT: z.coerce.number({ error: 'must be a number' }).int().min(1).default(5),
  OMBUD_VERIFY_LIMIT: z.coerce.number({ error: 'must be a number' }).int().min(1).default(30),
  OMBUD_VERIFY_SUBMISSION_LIMIT: z.coerce.number({ error: 'must be a number' }).int().min(1).default(10),
  OMBUD_COOKIE_ORIGINS: z
    .string()
    .regex(
      /^https?:\/\/[^\s,/]+(,https?:\/\/[^\s,/]+)*$/,
      'must be comma-separated origins such as https://shop.example,https://www.example',
    )
    .optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps:// (e.g. smtp://127.0.0.1:1025)')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Ombud <privacy@localhost>'),
  OMBUD_ASSERTION_JWKS_URL: z
    .url('must be the URL of a JWKS, e.g. https://shop.example/.well-known/jwks.json')
    .optional(),
  OMBUD_ASSERTION_ISSUER: z.string().min(1).optional(),
  OMBUD_ASSERTION_AUDIENCE: z.string().min(1).default('ombud-requests'),
  OMBUD_AUDIT_KEY_FILE: z.string().min(1).optional(),
  OMBUD_AUDIT_SIGNING_KEY: z.string().min(1).optional(),
  OMBUD_AUDIT_PUBLIC_KEY: z.string().min(1).optional(),
  OMBUD_AUDIT_CHECKPOINT_DIR: z.string().min(1).optional(),
  OMBUD_AUDIT_CHECKPOINT_URL: z
    .url('must be an absolute URL such as https://archive.example/ombud')
    .optional(),
  OMBUD_METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters (e.g. openssl rand -hex 32)')
    .regex(/^\S+$/, 'must not contain spaces')
    .optional(),
  OMBUD_LOG_FORMAT: z.enum(['json', 'pretty'], { error: "must be 'json' or 'pretty'" }).optional(),
  OMBUD_AUDIT_CHECKPOINT_MAIL: z
    .string()
    .regex(
      /^(none|[^\s,@]+@[^\s,@]+(,[^\s,@]+@[^\s,@]+)*)$/,
      "must be comma-separated e-mail addresses, or 'none'",
    )
    .optional(),
  OMBUD_OIDC_PROVIDERS: z.string().min(1).optional(),
  OMBUD_SSO_ONLY: z.enum(['0', '1']).default('0'),
});

/** Read-only: loaded (and frozen) once; a change makes a new Config (`withConfig` in app.ts). */
export type Config = Readonly<ConfigFields>;

type ConfigFields = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  publicUrl: string;
  logLevel: string;
  secret?: string;
  trustProxy: boolean;
  /** Keyring for secrets at rest: "id:base64key,…", newest last (src/core/secrets/envelope.ts). */
  secretKeys?: string;
  /** Requests per minute per client address on public routes, and on the sign-in form. */
  publicRateLimit: number;
  loginRateLimit: number;
  /**
   * The public edge's limits (docs/edge.md): cookie-banner proofs per consent id per minute, and per
   * client address per minute only as a coarse flood guard (behind a CDN without OMBUD_TRUST_PROXY every
   * visitor shares the CDN's few addresses). The banner script itself has no per-address limit.
   */
  edgeLimits: Readonly<{ proofPerConsentId: number; proofPerAddress: number }>;
  /** The most proofs written in one INSERT by the proof writer's group commit (src/services/consent/proofWriter.ts). */
  proofBatchMax?: number;
  /** The request desk's public limits (src/http/requestLimits.ts). */
  requestLimits: Readonly<{
    formPerHour: number;
    recipientPerHour: number;
    verifyPerQuarter: number;
    verifyPerSubmission: number;
  }>;
  /**
   * The job queues (pg-boss) the processes share (docs/deploy.md): a job still running after
   * `jobTimeoutSeconds` is taken as lost with its worker and run again by another (the run resumes);
   * every `maintenanceSeconds` one worker looks for such jobs; a failed daily retention run is retried
   * after `retentionRetrySeconds` (doubling each time).
   */
  queues: Readonly<{ jobTimeoutSeconds: number; maintenanceSeconds: number; retentionRetrySeconds: number }>;
  /** Sites (origins) allowed to post cookie-banner proofs, besides the register's websites. */
  cookieOrigins: readonly string[];
  /** Outgoing mail; without it mail waits in the outbox (see the console's outbox view). */
  smtpUrl?: string;
  mailFrom: string;
  /** Signed assertions of a shop's logged-in customer (identity verification of requests). */
  assertion: Readonly<{ jwksUrl?: string; issuer?: string; audience: string }>;
  /** How long a verified API key is trusted without asking the database (0: never cached). */
  apiKeyCacheTtlMs?: number;
  /** How long the register's current revision is trusted without asking the database. */
  registerCacheTtlMs?: number;
  /**
   * The bearer token /metrics asks for (src/http/metrics.ts); without one, /metrics answers only on the
   * loopback interface, to a request that was not forwarded by a proxy.
   */
  metricsToken?: string;
  /** Log lines as JSON or readable (src/log.ts `logFormatOf`); unset: readable on a terminal, else JSON. */
  logFormat?: 'json' | 'pretty';
  /**
   * The audit trail's keys and exports, all outside the database (src/services/audit/keys.ts): unset
   * paths default to files in the data directory.
   */
  audit?: Readonly<{
    /** Audit chain keys ("id:base64" lines), used with OMBUD_SECRET_KEYS; default <data dir>/audit-chain.key. */
    keyFile?: string;
    /** Ed25519 private key (PKCS#8 PEM) signing checkpoints; default <data dir>/audit-signing.key. */
    signingKeyFile?: string;
    /** Public key(s) (PEM) checkpoints are verified with; default the signing key's file + '.pub'. */
    publicKeyFile?: string;
    /** Where checkpoints are appended (checkpoints.jsonl); default <data dir>/audit-checkpoints. */
    checkpointDir?: string;
    /** Checkpoints are also POSTed here (JSON), if set. */
    checkpointUrl?: string;
    /** Checkpoints are mailed here; default the DPOs of the register; [] for none. */
    checkpointMail?: readonly string[];
  }>;
  /** Single sign-on (OIDC) providers and the SSO-only mode (docs/sso.md); absent: passwords only. */
  sso?: SsoConfig;
};

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const r = schema.safeParse(clean);
  if (!r.success) {
    // Name the variable and what it expects, never its value: it may be a password or the secret.
    const issues = r.error.issues.map((i) => ({
      path: i.path.map(String),
      message: `${String(i.path[0])}: ${i.message}`,
    }));
    throw validationError(
      'bad-configuration',
      `Bad configuration: ${issues.map((i) => i.message).join('; ')}.`,
      issues,
      'Fix the environment variable(s) named above and start again.',
    );
  }
  const v = r.data;
  return freezeConfig({
    port: v.PORT,
    host: v.HOST,
    dataDir: v.OMBUD_DATA_DIR,
    databaseUrl: v.DATABASE_URL,
    publicUrl: (
      v.OMBUD_PUBLIC_URL ?? `http://${v.HOST === '0.0.0.0' ? '127.0.0.1' : v.HOST}:${v.PORT}`
    ).replace(/\/$/, ''),
    logLevel: v.LOG_LEVEL,
    secret: v.OMBUD_SECRET,
    trustProxy: v.OMBUD_TRUST_PROXY === '1',
    secretKeys: v.OMBUD_SECRET_KEYS,
    publicRateLimit: v.OMBUD_PUBLIC_RATE_LIMIT,
    loginRateLimit: v.OMBUD_LOGIN_RATE_LIMIT,
    edgeLimits: { proofPerConsentId: v.OMBUD_PROOF_RATE_LIMIT, proofPerAddress: v.OMBUD_PROOF_FLOOD_LIMIT },
    proofBatchMax: v.OMBUD_PROOF_BATCH_MAX,
    requestLimits: {
      formPerHour: v.OMBUD_REQUEST_FORM_LIMIT,
      recipientPerHour: v.OMBUD_REQUEST_RECIPIENT_LIMIT,
      verifyPerQuarter: v.OMBUD_VERIFY_LIMIT,
      verifyPerSubmission: v.OMBUD_VERIFY_SUBMISSION_LIMIT,
    },
    queues: {
      jobTimeoutSeconds: v.OMBUD_JOB_TIMEOUT_SECONDS,
      maintenanceSeconds: v.OMBUD_QUEUE_MAINTENANCE_SECONDS,
      retentionRetrySeconds: v.OMBUD_RETENTION_RETRY_SECONDS,
    },
    cookieOrigins: v.OMBUD_COOKIE_ORIGINS?.split(',') ?? [],
    smtpUrl: v.SMTP_URL,
    mailFrom: v.MAIL_FROM,
    assertion: {
      jwksUrl: v.OMBUD_ASSERTION_JWKS_URL,
      issuer: v.OMBUD_ASSERTION_ISSUER,
      audience: v.OMBUD_ASSERTION_AUDIENCE,
    },
    apiKeyCacheTtlMs: v.OMBUD_API_KEY_CACHE_TTL_MS,
    registerCacheTtlMs: v.OMBUD_REGISTER_CACHE_TTL_MS,
    metricsToken: v.OMBUD_METRICS_TOKEN,
    logFormat: v.OMBUD_LOG_FORMAT,
    audit: {
      keyFile: v.OMBUD_AUDIT_KEY_FILE,
      signingKeyFile: v.OMBUD_AUDIT_SIGNING_KEY,
      publicKeyFile: v.OMBUD_AUDIT_PUBLIC_KEY,
      checkpointDir: v.OMBUD_AUDIT_CHECKPOINT_DIR,
      checkpointUrl: v.OMBUD_AUDIT_CHECKPOINT_URL,
      checkpointMail:
        v.OMBUD_AUDIT_CHECKPOINT_MAIL === 'none' ? [] : v.OMBUD_AUDIT_CHECKPOINT_MAIL?.split(','),
    },
    sso: ssoConfig(v.OMBUD_OIDC_PROVIDERS, v.OMBUD_SSO_ONLY === '1', clean),
  });
}

/** The providers file (OMBUD_OIDC_PROVIDERS) read and checked; SSO-only mode needs one. */
function ssoConfig(file: string | undefined, only: boolean, env: Record<string, string | undefined>) {
  if (!file) {
    if (only)
      throw validationError(
        'bad-configuration',
        'Bad configuration: OMBUD_SSO_ONLY: needs OMBUD_OIDC_PROVIDERS (with passwords off, nobody could sign in).',
        [{ path: ['OMBUD_SSO_ONLY'], message: 'needs OMBUD_OIDC_PROVIDERS' }],
        'Name a providers file in OMBUD_OIDC_PROVIDERS (docs/sso.md), or set OMBUD_SSO_ONLY=0.',
      );
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw validationError(
      'bad-configuration',
      `Bad configuration: OMBUD_OIDC_PROVIDERS: the file cannot be read (${(err as { code?: string }).code ?? 'error'}).`,
      [{ path: ['OMBUD_OIDC_PROVIDERS'], message: 'must name a readable YAML or JSON file' }],
      'Point OMBUD_OIDC_PROVIDERS at the providers file (docs/sso.md).',
    );
  }
  return { only, providers: parseSsoProviders(text, `OMBUD_OIDC_PROVIDERS (${file})`, env) };
}

/** Freeze a config and the objects in it: nothing may change it after it is loaded. */
export function freezeConfig(c: ConfigFields | Config): Config {
  for (const v of Object.values(c)) if (v && typeof v === 'object') Object.freeze(v);
  return Object.freeze(c);
}
