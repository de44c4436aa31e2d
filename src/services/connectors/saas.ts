/**
 * Running a declarative SaaS connector (src/core/connectors/saas.ts, docs/connectors/saas.md) for one data
 * subject: its reads (paged, unwrapped, filtered; collections that read from others after them), then the
 * erasure, rectification or restriction of each record read, children first. Authentication (bearer, basic,
 * API-key header, OAuth2 client credentials with the token kept until it expires), the connector's rate
 * limit, 429 with Retry-After and 5xx retried with back-off. Errors name the system, the collection and
 * the HTTP status, never a value: identities travel in paths and bodies, not in messages.
 */
import {
  atPath,
  fill,
  keepMatching,
  type Lookup,
  nextPage,
  type PageState,
  project,
  readOrder,
  type SaasAction,
  type SaasConnector,
  type SaasReadRequest,
  type SaasRequest,
  supportedActions,
  unwrap,
} from '../../core/connectors/saas.ts';

export type SaasIdentities = { email?: string; phone?: string; customer_number?: string };

export type SaasRuntime = {
  /** The register system the connector serves (named in errors). */
  systemId: string;
  connector: SaasConnector;
  settings: Record<string, string>;
  secrets: Record<string, string>;
  /** Instead of the connector's base_url (a test server, a sandbox, a regional host). */
  baseUrl?: string;
};

export type SaasResult = {
  status: 'done' | 'not_found';
  records: number;
  /** Access: the records by collection (only the connector's `fields` of each). */
  data?: Record<string, Record<string, unknown>[]>;
  /** Per collection: records read and records changed. */
  collections: { name: string; read: number; changed: number }[];
};

/** A failure worth telling the desk; never a value of the subject. */
export class SaasError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Sent = { status: number; body: unknown; link: string | null };

export class SaasClient {
  private token?: { value: string; until: number };
  private readonly sent: number[] = [];

  constructor(
    readonly rt: SaasRuntime,
    private readonly opts: { retries?: number; backoffMs?: number; maxRetryAfterMs?: number } = {},
  ) {}

  get base(): string {
    const b = this.rt.baseUrl ?? String(fill(this.rt.connector.base_url, this.lookup()));
    return b.replace(/\/$/, '');
  }

  /** The actions this connector carries out. */
  supports(action: SaasAction): boolean {
    return supportedActions(this.rt.connector).includes(action);
  }

  lookup(extra: Lookup = () => undefined, ids: SaasIdentities = {}): Lookup {
    return (ns, key) => {
      if (ns === 'setting') return this.rt.settings[key];
      if (ns === 'secret') return this.rt.secrets[key];
      if (ns === 'identity') return ids[key as keyof SaasIdentities];
      return extra(ns, key);
    };
  }

  /** Every collection's records for the subject, in read order. */
  async readAll(ids: SaasIdentities): Promise<Map<string, Record<string, unknown>[]>> {
    const out = new Map<string, Record<string, unknown>[]>();
    for (const name of readOrder(this.rt.connector)) {
      const col = this.rt.connector.collections[name]!;
      if (!col.read) continue;
      const refs = [
        ...new Set([...JSON.stringify(col.read).matchAll(/<ref\.([a-z0-9_]+)\./g)].map((m) => m[1]!)),
      ];
      // One read per record of the collection it reads from (the first one named); once without.
      const sources: (Record<string, unknown> | undefined)[] = refs.length
        ? (out.get(refs[0]!) ?? [])
        : [undefined];
      const seen = new Set<string>();
      const records: Record<string, unknown>[] = [];
      for (const src of sources) {
        const lookup = this.lookup((ns, key) => {
          if (ns !== 'ref') return undefined;
          const [other, ...rest] = key.split('.');
          const from = other === refs[0] ? src : out.get(other!)?.[0];
          return atPath(from, rest.join('.')) as unknown;
        }, ids);
        for (const r of await this.readPages(name, col.read, lookup)) {
          const id = atPath(r, col.id_field);
          const key = id === undefined ? JSON.stringify(r) : String(id);
          if (seen.has(key)) continue;
          seen.add(key);
          records.push(r);
        }
      }
      out.set(name, records);
    }
    return out;
  }

  private async readPages(
    name: string,
    read: SaasReadRequest,
    lookup: Lookup,
  ): Promise<Record<string, unknown>[]> {
    const all: Record<string, unknown>[] = [];
    let state: PageState | undefined = { page: 0 };
    while (state) {
      const p = read.pagination;
      const paging: { query?: Record<string, string>; body?: Record<string, unknown> } = {};
      if (p?.type === 'offset') {
        const v = String(state.offset ?? p.start);
        if (p.in === 'body') paging.body = { [p.param]: Number(v) };
        else paging.query = { [p.param]: v };
      } else if (p?.type === 'cursor' && state.cursor !== undefined) {
        if (p.in === 'body') paging.body = { [p.param]: state.cursor };
        else paging.query = { [p.param]: state.cursor };
      }
      const res = await this.send(`${name} read`, read, lookup, { ...paging, url: state.url });
      if (res.status >= 400) break; // a not_found status: nothing there
      const page = unwrap(res.body, read.data_path);
      all.push(...keepMatching(page, read.filter, lookup));
      state = nextPage(read, state, { body: res.body, link: res.link, records: page });
    }
    return all;
  }

  /** Carry out one action for the subject. */
  async run(
    action: SaasAction,
    ids: SaasIdentities,
    corrections: Record<string, string> = {},
  ): Promise<SaasResult> {
    const found = await this.readAll(ids);
    const c = this.rt.connector;
    const collections = readOrder(c).map((name) => ({
      name,
      read: found.get(name)?.length ?? 0,
      changed: 0,
    }));
    const total = collections.reduce((n, x) => n + x.read, 0);
    if (action === 'access') {
      const data: Record<string, Record<string, unknown>[]> = {};
      for (const [name, rs] of found)
        if (rs.length) data[name] = rs.map((r) => project(r, c.collections[name]!.fields));
      return { status: total ? 'done' : 'not_found', records: total, data, collections };
    }
    // Children first: a collection read through another is changed before it.
    for (const entry of [...collections].reverse()) {
      const col = c.collections[entry.name]!;
      const req =
        action === 'erasure'
          ? col[col.erase ?? (col.delete ? 'delete' : 'update')]
          : action === 'rectification'
            ? col.rectify
            : col.restrict;
      if (!req) continue;
      const steps = Array.isArray(req) ? req : [req];
      for (const record of found.get(entry.name) ?? []) {
        const lookup = this.lookup((ns, key) => {
          if (ns === 'record') return atPath(record, key);
          if (ns === 'correction') return corrections[key];
          return undefined;
        }, ids);
        // A rectification whose request names none of the corrections given has nothing to send.
        const named = JSON.stringify(req).match(/<correction\.[^>]+>/g) ?? [];
        if (named.length && named.every((n) => corrections[n.slice(12, -1)] === undefined)) continue;
        let ok = true;
        for (const step of steps)
          ok = (await this.send(`${entry.name} ${action}`, step, lookup, {})).status < 400 && ok;
        if (ok) entry.changed++;
      }
    }
    const changed = collections.reduce((n, x) => n + x.changed, 0);
    return { status: changed || total ? 'done' : 'not_found', records: changed, collections };
  }

  // -------------------------------------------------------------------------------------------------------
  // HTTP

  private async authHeader(): Promise<Record<string, string>> {
    const a = this.rt.connector.auth;
    const l = this.lookup();
    const v = (t: string) => String(fill(t, l) ?? '');
    if (a.type === 'bearer') return { authorization: `Bearer ${v(a.token)}` };
    if (a.type === 'basic')
      return {
        authorization: `Basic ${Buffer.from(`${v(a.username)}:${v(a.password)}`).toString('base64')}`,
      };
    if (a.type === 'api_key') return { [a.header.toLowerCase()]: v(a.value) };
    const now = Date.now();
    if (this.token && this.token.until > now) return { authorization: `Bearer ${this.token.value}` };
    const url = a.token_url.startsWith('/') ? `${this.base}${a.token_url}` : v(a.token_url);
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (a.scope) form.set('scope', a.scope);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (a.client_auth === 'body') {
      form.set('client_id', v(a.client_id));
      form.set('client_secret', v(a.client_secret));
    } else {
      const enc = (s: string) => encodeURIComponent(s);
      headers.authorization = `Basic ${Buffer.from(`${enc(v(a.client_id))}:${enc(v(a.client_secret))}`).toString('base64')}`;
    }
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body: form.toString(),
      signal: AbortSignal.timeout(this.rt.connector.timeout_ms),
      redirect: 'error',
    }).catch((err: Error) => {
      throw new SaasError(`${this.rt.systemId}: the token endpoint could not be reached (${err.name})`, true);
    });
    const body = (await res.json().catch(() => undefined)) as
      | { access_token?: unknown; expires_in?: unknown }
      | undefined;
    if (!res.ok || typeof body?.access_token !== 'string')
      throw new SaasError(
        `${this.rt.systemId}: the token endpoint answered HTTP ${res.status}`,
        res.status >= 500,
      );
    const ttl = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    this.token = { value: body.access_token, until: now + Math.max(0, ttl - 30) * 1000 };
    return { authorization: `Bearer ${body.access_token}` };
  }

  /** Wait for the connector's rate limit: at most `requests` sends in any `per_seconds`. */
  private async pace(): Promise<void> {
    const rl = this.rt.connector.rate_limit;
    if (!rl) return;
    const window = rl.per_seconds * 1000;
    for (;;) {
      const now = Date.now();
      while (this.sent.length && this.sent[0]! <= now - window) this.sent.shift();
      if (this.sent.length < rl.requests) {
        this.sent.push(now);
        return;
      }
      await sleep(this.sent[0]! + window - now);
    }
  }

  /** Build and send one request of the connector; retried on 429 (Retry-After), 5xx and network errors. */
  async send(
    what: string,
    req: SaasRequest,
    lookup: Lookup,
    extra: { query?: Record<string, string>; body?: Record<string, unknown>; url?: string },
  ): Promise<Sent> {
    const enc: Lookup = (ns, key) => {
      const v = lookup(ns, key);
      return v === undefined || v === null ? undefined : encodeURIComponent(String(v));
    };
    let url: URL;
    if (extra.url) {
      url = new URL(extra.url, this.base);
      // A next-page link elsewhere would carry the credentials away.
      if (url.origin !== new URL(this.base).origin)
        throw new SaasError(`${this.rt.systemId}: ${what}: the next-page link points to another host`, false);
    } else {
      url = new URL(`${this.base}${String(fill(req.path, enc))}`);
      for (const [k, t] of Object.entries(req.query ?? {})) {
        const v = fill(t, lookup);
        if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
      }
      for (const [k, v] of Object.entries(extra.query ?? {})) url.searchParams.set(k, v);
    }
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Ombud-Connector/1' };
    for (const [k, t] of Object.entries({ ...this.rt.connector.headers, ...req.headers }))
      headers[k.toLowerCase()] = String(fill(t, lookup) ?? '');
    let body: string | undefined;
    if (req.form) {
      const f = new URLSearchParams();
      for (const [k, t] of Object.entries(fill(req.form, lookup) as Record<string, unknown>))
        if (t !== undefined && t !== null) f.set(k, String(t));
      body = f.toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (req.body !== undefined || extra.body) {
      const b = fill(req.body ?? {}, lookup);
      body = JSON.stringify(extra.body ? { ...(b as object), ...extra.body } : b);
      headers['content-type'] ??= 'application/json';
    }
    const retries = this.opts.retries ?? 2;
    const backoff = this.opts.backoffMs ?? 250;
    for (let attempt = 0; ; attempt++) {
      await this.pace();
      let res: Response;
      try {
        res = await fetch(url, {
          method: req.method,
          headers: { ...headers, ...(await this.authHeader()) },
          ...(body !== undefined ? { body } : {}),
          signal: AbortSignal.timeout(this.rt.connector.timeout_ms),
          redirect: 'error',
        });
      } catch (err) {
        if (err instanceof SaasError) throw err;
        if (attempt >= retries)
          throw new SaasError(
            `${this.rt.systemId}: ${what}: ${(err as Error).name === 'TimeoutError' ? 'no answer in time' : 'could not connect'}`,
            true,
          );
        await sleep(backoff * 4 ** attempt);
        continue;
      }
      const text = await res.text();
      if ((res.status === 429 || res.status >= 500) && attempt < retries + (res.status === 429 ? 1 : 0)) {
        await sleep(
          res.status === 429
            ? this.retryAfter(res.headers.get('retry-after'), attempt)
            : backoff * 4 ** attempt,
        );
        continue;
      }
      if (res.status >= 400 && !(req.not_found ?? []).includes(res.status))
        throw new SaasError(
          `${this.rt.systemId}: ${what} answered HTTP ${res.status}`,
          res.status === 429 || res.status >= 500,
        );
      let parsed: unknown;
      if (text) {
        try {
          parsed = JSON.parse(text);
        } catch {
          if (res.status < 400 && what.endsWith(' read'))
            throw new SaasError(`${this.rt.systemId}: ${what}: the answer is not JSON`, false);
        }
      }
      return { status: res.status, body: parsed, link: res.headers.get('link') };
    }
  }

  private retryAfter(header: string | null, attempt: number): number {
    const cap = this.opts.maxRetryAfterMs ?? 60_000;
    const secs = header && /^\d+$/.test(header.trim()) ? Number(header) * 1000 : undefined;
    const date = header && secs === undefined ? Date.parse(header) - Date.now() : undefined;
    const ms =
      secs ??
      (date !== undefined && Number.isFinite(date) ? date : (this.opts.backoffMs ?? 250) * 4 ** attempt);
    return Math.min(cap, Math.max(0, ms));
  }
}
