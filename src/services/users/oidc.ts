/**
 * The OpenID Connect side of single sign-on, through openid-client: discovery (cached per provider), the
 * authorization URL (code flow with PKCE, state and nonce), the code exchange with the ID token's checks
 * (issuer, audience, nonce, expiry, signature: openid-client does them), the UserInfo claims when the
 * provider is configured for them, and the provider's end-session URL. Failures become an SsoRefusal with a
 * reason code; nothing of the provider's answer is logged or shown.
 */
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import type { SsoProvider } from '../../core/sso/providers.ts';
import { SsoRefusal } from '../../core/sso/refusal.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const discovered = new Map<string, Promise<client.Configuration>>();

const cacheKey = (p: SsoProvider) =>
  createHash('sha256')
    .update([p.issuer, p.clientId, p.clientSecret, p.tokenAuthMethod].join('\u0000'))
    .digest('hex');

/** The provider's configuration, discovered once per process (again after a failure). */
export function oidcConfiguration(p: SsoProvider): Promise<client.Configuration> {
  const key = cacheKey(p);
  let found = discovered.get(key);
  if (!found) {
    const issuer = new URL(p.issuer);
    const auth =
      p.tokenAuthMethod === 'client_secret_post'
        ? client.ClientSecretPost(p.clientSecret)
        : client.ClientSecretBasic(p.clientSecret);
    found = client
      .discovery(issuer, p.clientId, undefined, auth, {
        // http:// only on the loopback interface (the providers file refuses it elsewhere).
        execute:
          issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname) ? [client.allowInsecureRequests] : [],
        timeout: 10,
      })
      .catch((err: unknown) => {
        discovered.delete(key);
        throw new SsoRefusal('provider-unreachable', { error: codeOf(err) });
      });
    discovered.set(key, found);
  }
  return found;
}

export type SsoChecks = { state: string; nonce: string; codeVerifier: string; redirectUri: string };

/** Where to send the browser: the provider's authorization endpoint with PKCE (S256), state and nonce. */
export async function authorizationUrl(p: SsoProvider, checks: SsoChecks): Promise<string> {
  const config = await oidcConfiguration(p);
  return client.buildAuthorizationUrl(config, {
    redirect_uri: checks.redirectUri,
    scope: p.scopes.join(' '),
    response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
    code_challenge_method: 'S256',
    state: checks.state,
    nonce: checks.nonce,
  }).href;
}

/**
 * The callback's code exchanged for tokens and the ID token checked (issuer, audience, nonce, expiry,
 * signature, and the response's state and `iss`); the person's claims (with UserInfo's when configured).
 */
export async function exchangeCode(
  p: SsoProvider,
  callbackUrl: URL,
  checks: SsoChecks,
): Promise<Record<string, unknown>> {
  const config = await oidcConfiguration(p);
  try {
    const tokens = await client.authorizationCodeGrant(
      config,
      callbackUrl,
      {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      },
      { redirect_uri: checks.redirectUri },
    );
    const idClaims = tokens.claims();
    if (!idClaims) throw new SsoRefusal('id-token-invalid', { error: 'no-id-token' });
    if (!p.userinfo) return { ...idClaims };
    const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    return { ...info, ...idClaims };
  } catch (err) {
    throw refusalOf(err);
  }
}

/** The provider's end-session URL (RP-initiated logout), when it has one. */
export async function endSessionUrl(
  p: SsoProvider,
  postLogoutRedirectUri: string,
): Promise<string | undefined> {
  const config = await oidcConfiguration(p);
  if (!config.serverMetadata().end_session_endpoint) return undefined;
  return client.buildEndSessionUrl(config, {
    client_id: p.clientId,
    post_logout_redirect_uri: postLogoutRedirectUri,
  }).href;
}

/** An error code (openid-client's, or an OAuth error of the provider): letters, digits, _ and - only. */
function codeOf(err: unknown): string {
  const e = err as { code?: unknown; error?: unknown };
  const code = typeof e?.error === 'string' ? e.error : typeof e?.code === 'string' ? e.code : 'error';
  return /^[A-Za-z0-9_-]{1,64}$/.test(code) ? code : 'error';
}

/** The claim a failed comparison names (openid-client keeps it in the error's causes). */
function claimOf(err: unknown): string | undefined {
  for (let e = err as { cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    const claim = (e as { claim?: unknown }).claim;
    if (typeof claim === 'string' && /^[a-z_]{1,16}$/.test(claim)) return claim;
    e = e.cause as { cause?: unknown } | undefined;
  }
  return undefined;
}

function refusalOf(err: unknown): SsoRefusal {
  if (err instanceof SsoRefusal) return err;
  const code = codeOf(err);
  if (err instanceof client.AuthorizationResponseError)
    return new SsoRefusal('provider-error', { error: code });
  if (err instanceof client.ResponseBodyError) return new SsoRefusal('token-refused', { error: code });
  if (code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') return new SsoRefusal('id-token-expired', { error: code });
  if (err instanceof client.ClientError) {
    const claim = claimOf(err);
    return new SsoRefusal('id-token-invalid', claim ? { error: code, claim } : { error: code });
  }
  return new SsoRefusal('provider-unreachable', { error: code });
}
