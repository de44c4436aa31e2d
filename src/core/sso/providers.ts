/**
 * The single sign-on providers (OpenID Connect) of an installation, as configured in the file named by
 * OMBUD_OIDC_PROVIDERS (YAML or JSON, docs/sso.md): each provider's issuer, client, scopes, the claim that
 * carries a person's groups or roles, and the mapping from that claim's values to Ombud roles per company.
 * Pure: the caller reads the file and hands over its text and the environment (for `clientSecretEnv`).
 * A bad file is a validation error naming the file and each field's path, never a value (client secrets).
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type FieldIssue, validationError } from '../errors.ts';
import { ROLES, type Role } from '../policies/permissions.ts';

/** One row of a provider's mapping: a claim value grants a role in a company, or group ownership. */
export type SsoMappingRow =
  | Readonly<{ value: string; company: string; role: Role }>
  | Readonly<{ value: string; owner: true }>;

export type SsoProvider = Readonly<{
  /** In the sign-in and callback URLs: /console/sso/<id>/callback. */
  id: string;
  /** The button's label on the sign-in page. */
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  tokenAuthMethod: 'client_secret_basic' | 'client_secret_post';
  scopes: readonly string[];
  /** The claim holding the person's groups or roles: a name, or a dot path into nested claims. */
  claim: string;
  /** Read the claims from the UserInfo endpoint too (for providers that leave groups out of the ID token). */
  userinfo: boolean;
  mapping: readonly SsoMappingRow[];
}>;

export type SsoConfig = Readonly<{
  /** Passwords turned off: sign-in, password links and invitations with a password are refused. */
  only: boolean;
  providers: readonly SsoProvider[];
}>;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https, or http on the loopback interface only (development and tests). */
const issuerUrl = z.url('must be an absolute URL such as https://login.example.com').refine((s) => {
  const u = new URL(s);
  return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname));
}, 'must be an https URL (http only on 127.0.0.1 or localhost)');

const companyId = z
  .string()
  .regex(/^[a-z0-9-]{1,64}$/, 'must be a company (organization) id such as provendo');
const claimValue = z.string().min(1, 'must not be empty').max(256);

const mappingRow = z.union(
  [
    z.strictObject({ value: claimValue, company: companyId, role: z.enum(ROLES) }),
    z.strictObject({ value: claimValue, owner: z.literal(true) }),
  ],
  { error: `must be { value, company, role } (role one of ${ROLES.join(', ')}) or { value, owner: true }` },
);

const providerSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be lower-case letters, digits and dashes (up to 32)'),
    name: z.string().min(1).max(80),
    issuer: issuerUrl,
    clientId: z.string().min(1).max(512),
    clientSecret: z.string().min(1).max(1024).optional(),
    clientSecretEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the name of an environment variable')
      .optional(),
    tokenAuthMethod: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be a scope name'))
      .default(['openid', 'email', 'profile'])
      .refine((s) => s.includes('openid'), "must include 'openid'"),
    claim: z.string().min(1).max(256).default('groups'),
    userinfo: z.boolean().default(false),
    mapping: z.array(mappingRow).min(1, 'must map at least one claim value to a role'),
  })
  .refine((p) => (p.clientSecret === undefined) !== (p.clientSecretEnv === undefined), {
    message: 'give exactly one of clientSecret and clientSecretEnv',
    path: ['clientSecret'],
  });

const fileSchema = z.strictObject({
  providers: z
    .array(providerSchema)
    .min(1, 'must name at least one provider')
    .refine((ps) => new Set(ps.map((p) => p.id)).size === ps.length, 'each provider needs its own id'),
});

const pathText = (path: readonly PropertyKey[]) =>
  path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');

function fail(source: string, issues: FieldIssue[]): never {
  throw validationError(
    'bad-sso-providers',
    `Bad single sign-on configuration in ${source}: ${issues.map((i) => `${pathText(i.path) || '(file)'}: ${i.message}`).join('; ')}.`,
    issues,
    'Fix the providers file (docs/sso.md) and start again.',
  );
}

/**
 * The providers of a providers file's text (YAML; JSON is YAML too). `env` resolves `clientSecretEnv`.
 * Throws a validation error naming `source` and each bad field.
 */
export function parseSsoProviders(
  text: string,
  source: string,
  env: Record<string, string | undefined>,
): readonly SsoProvider[] {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch {
    fail(source, [{ path: [], message: 'is not valid YAML or JSON' }]);
  }
  const r = fileSchema.safeParse(data);
  if (!r.success)
    fail(
      source,
      r.error.issues.map((i) => ({
        path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
        message: i.message,
      })),
    );
  const missing: FieldIssue[] = [];
  const providers = r.data.providers.map((p, n) => {
    const secret = p.clientSecret ?? env[p.clientSecretEnv ?? ''];
    if (!secret)
      missing.push({
        path: ['providers', n, 'clientSecretEnv'],
        message: `the environment variable ${p.clientSecretEnv} is not set`,
      });
    return Object.freeze({
      id: p.id,
      name: p.name,
      issuer: p.issuer,
      clientId: p.clientId,
      clientSecret: secret ?? '',
      tokenAuthMethod: p.tokenAuthMethod,
      scopes: Object.freeze([...p.scopes]),
      claim: p.claim,
      userinfo: p.userinfo,
      mapping: Object.freeze(p.mapping.map((m) => Object.freeze({ ...m }))),
    });
  });
  if (missing.length > 0) fail(source, missing);
  return Object.freeze(providers);
}
