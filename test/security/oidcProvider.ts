/**
 * A real OpenID Connect provider for the single sign-on tests: `oidc-provider` on 127.0.0.1 in the test
 * process, with its accounts (whose claims the test sets and changes) and clients, and no built-in login
 * pages: the test "types" the account name by POSTing to /interaction/<uid>/login, which finishes the
 * interaction; consent is given by the first-party grant below.
 *
 * The provider is reached through two fronts (plain HTTP proxies on their own ports):
 * - `issuer`: its real face (the provider's issuer is this URL). `swapTokenClient` makes this front send
 *   token requests with another client's credentials, so the provider answers with an ID token for that
 *   client (a token endpoint mixing up clients): the relying party must refuse the audience.
 * - `mixedIssuer`: a second face whose discovery document names itself as issuer (and drops the `iss`
 *   response parameter's support), while the tokens keep the real issuer: the relying party must refuse it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import Provider from 'oidc-provider';

export type IdpAccount = { sub: string; email?: string; name?: string; groups: string[] };
export type IdpClient = {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
};

export type TestIdp = {
  issuer: string;
  mixedIssuer: string;
  /** The accounts by `sub`: add, change or remove them between sign-ins. */
  accounts: Map<string, IdpAccount>;
  /** When set, token requests through `issuer` carry this client's credentials instead of the caller's. */
  swapTokenClient: { clientId: string; secret: string } | undefined;
  close: () => Promise<void>;
};

const listen = (s: Server) =>
  new Promise<string>((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as { port: number }).port}`)),
  );

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });

/** Forward a request to the provider's own port, keeping the Host header (the provider builds its URLs from it). */
async function forward(
  target: string,
  req: IncomingMessage,
  res: ServerResponse,
  change: { headers?: Record<string, string>; rewrite?: (body: string) => string } = {},
) {
  const body = await readBody(req);
  const upstream = request(
    `${target}${req.url}`,
    { method: req.method, headers: { ...req.headers, ...change.headers } },
    (up) => {
      if (!change.rewrite) {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        return;
      }
      void readBody(up).then((b) => {
        const text = change.rewrite!(b.toString('utf8'));
        const headers = { ...up.headers, 'content-length': String(Buffer.byteLength(text)) };
        delete headers.etag;
        res.writeHead(up.statusCode ?? 502, headers);
        res.end(text);
      });
    },
  );
  upstream.on('error', () => {
    res.writeHead(502);
    res.end();
  });
  upstream.end(body);
}

/** The provider's interaction pages, done by hand: GET says "log in", POST …/login finishes with that account. */
async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const m = /^\/interaction\/([^/?]+)(\/login)?$/.exec(req.url ?? '');
  if (!m) return false;
  if (req.method === 'POST' && m[2]) {
    const account = new URLSearchParams((await readBody(req)).toString('utf8')).get('account') ?? '';
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: account } },
      { mergeWithLastSubmission: false },
    );
    return true;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('log in: POST account=<sub> to this URL + /login');
  return true;
}

export async function startTestIdp(clients: IdpClient[]): Promise<TestIdp> {
  const inner = createServer();
  const front = createServer();
  const mixedFront = createServer();
  const [innerUrl, issuer, mixedIssuer] = await Promise.all([
    listen(inner),
    listen(front),
    listen(mixedFront),
  ]);
  const accounts = new Map<string, IdpAccount>();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-1', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['test-idp-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    // The scopes' claims go into the ID token (as Entra ID, Okta and Keycloak do for groups when configured).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx, i) => `/interaction/${i.uid}` },
    ttl: {
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: 60,
    },
    findAccount: async (_ctx, id) => {
      const a = accounts.get(id);
      if (!a) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: a.sub,
          ...(a.email ? { email: a.email, email_verified: true } : {}),
          ...(a.name ? { name: a.name } : {}),
          groups: [...a.groups],
        }),
      };
    },
    // First-party clients: the grant of the requested scopes is given without a consent page.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope(String(ctx.oidc.params!.scope));
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  inner.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void interaction(provider, req, res).then((done) => {
      if (!done) handle(req, res);
    });
  });
  const idp: TestIdp = {
    issuer,
    mixedIssuer,
    accounts,
    swapTokenClient: undefined,
    close: async () => {
      await Promise.all([inner, front, mixedFront].map((s) => new Promise((r) => s.close(r))));
    },
  };
  front.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const swap = idp.swapTokenClient;
    const basic = swap && `Basic ${Buffer.from(`${swap.clientId}:${swap.secret}`).toString('base64')}`;
    void forward(
      innerUrl,
      req,
      res,
      req.method === 'POST' && req.url === '/token' && basic ? { headers: { authorization: basic } } : {},
    );
  });
  mixedFront.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const discovery = req.url === '/.well-known/openid-configuration';
    void forward(
      innerUrl,
      req,
      res,
      discovery
        ? {
            rewrite: (text) => {
              const doc = JSON.parse(text) as Record<string, unknown>;
              delete doc.authorization_response_iss_parameter_supported;
              return JSON.stringify({ ...doc, issuer: mixedIssuer });
            },
          }
        : {},
    );
  });
  return idp;
}
