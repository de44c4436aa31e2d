/**
 * The demo's mail provider and CRM as SaaS products: one loopback HTTP server that speaks the parts of
 * Mailchimp's Marketing API and HubSpot's CRM API that connectors/mailchimp.yaml and connectors/hubspot.yaml
 * use, with the request and response shapes of their references (search-members; delete-permanent and
 * update list member; CRM contacts search with paging; GDPR delete; update contact), and their
 * authentication (HTTP Basic with the API key; a bearer token), answering 401 without it. It holds the demo
 * customers as audience members and CRM contacts, so the demo's erasure reaches both through the same
 * connectors a group would point at the real vendors; no account at either vendor is needed to try it.
 *
 * Why a local stand-in and not the vendors: the demo runs offline, with no accounts or keys, and must not
 * send the demo customers' (made-up) addresses anywhere.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { customerEmail, demoName } from '../systems/seed.ts';

export const DEMO_MAILCHIMP_KEY = 'demo0000000000000000000000000000-us21';
export const DEMO_HUBSPOT_TOKEN = 'pat-eu1-demo';
const LIST = 'nestit-news';

type Member = { id: string; email: string; first: string; last: string; status: string };
type Contact = { id: string; email: string; first: string; last: string; phone: string };

export type DemoVendors = {
  url: string;
  members: Map<string, Member>;
  contacts: Map<string, Contact>;
  close: () => Promise<void>;
};

const json = (res: import('node:http').ServerResponse, status: number, body?: unknown) => {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
};

async function bodyOf(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const t = Buffer.concat(chunks).toString('utf8');
  return t ? (JSON.parse(t) as Record<string, unknown>) : {};
}

const memberJson = (m: Member) => ({
  id: m.id,
  email_address: m.email,
  unique_email_id: m.id.slice(0, 10),
  full_name: `${m.first} ${m.last}`,
  email_type: 'html',
  status: m.status,
  merge_fields: { FNAME: m.first, LNAME: m.last },
  language: 'sv',
  list_id: LIST,
  tags: [],
});
const contactJson = (c: Contact) => ({
  id: c.id,
  properties: { email: c.email, firstname: c.first, lastname: c.last, phone: c.phone, hs_object_id: c.id },
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  archived: false,
});

/** Mailchimp: search-members, delete-permanent, PATCH member. */
async function mailchimp(
  v: DemoVendors,
  req: IncomingMessage,
  u: URL,
  res: import('node:http').ServerResponse,
) {
  const basic = `Basic ${Buffer.from(`ombud:${DEMO_MAILCHIMP_KEY}`).toString('base64')}`;
  if (req.headers.authorization !== basic)
    return json(res, 401, { type: 'about:blank', title: 'API Key Invalid', status: 401 });
  if (req.method === 'GET' && u.pathname === '/3.0/search-members') {
    const q = (u.searchParams.get('query') ?? '').toLowerCase();
    const exact = [...v.members.values()].filter((m) => m.email === q).map(memberJson);
    return json(res, 200, {
      exact_matches: { members: exact, total_items: exact.length },
      full_search: { members: [], total_items: 0 },
    });
  }
  const m = /^\/3\.0\/lists\/([^/]+)\/members\/([^/]+)(\/actions\/delete-permanent)?$/.exec(u.pathname);
  const member = m && m[1] === LIST ? [...v.members.values()].find((x) => x.id === m[2]) : undefined;
  if (!m || !member) return json(res, 404, { title: 'Resource Not Found', status: 404 });
  if (req.method === 'POST' && m[3]) {
    v.members.delete(member.email);
    return json(res, 204);
  }
  if (req.method === 'PATCH' && !m[3]) {
    const b = await bodyOf(req);
    if (typeof b.status === 'string') member.status = b.status;
    if (typeof b.email_address === 'string') {
      v.members.delete(member.email);
      member.email = b.email_address.toLowerCase();
      v.members.set(member.email, member);
    }
    const mf = (b.merge_fields ?? {}) as Record<string, string>;
    if (mf.FNAME) member.first = mf.FNAME;
    if (mf.LNAME) member.last = mf.LNAME;
    return json(res, 200, memberJson(member));
  }
  return json(res, 405, { title: 'Method Not Allowed', status: 405 });
}

/** HubSpot: contacts search (cursor paging), GDPR delete, PATCH contact. */
async function hubspot(
  v: DemoVendors,
  req: IncomingMessage,
  u: URL,
  res: import('node:http').ServerResponse,
) {
  if (req.headers.authorization !== `Bearer ${DEMO_HUBSPOT_TOKEN}`)
    return json(res, 401, {
      status: 'error',
      message: 'Authentication credentials not found.',
      category: 'INVALID_AUTHENTICATION',
    });
  const b = await bodyOf(req);
  if (req.method === 'POST' && u.pathname === '/crm/v3/objects/contacts/search') {
    const f = (b.filterGroups as { filters: { propertyName: string; value: string }[] }[] | undefined)?.[0]
      ?.filters[0];
    const found = [...v.contacts.values()].filter(
      (c) => f?.propertyName === 'email' && c.email === f.value.toLowerCase(),
    );
    return json(res, 200, { total: found.length, results: found.map(contactJson) });
  }
  if (req.method === 'POST' && u.pathname === '/crm/v3/objects/contacts/gdpr-delete') {
    const c = [...v.contacts.values()].find((x) => x.id === String(b.objectId));
    if (!c)
      return json(res, 404, { status: 'error', message: 'resource not found', category: 'OBJECT_NOT_FOUND' });
    v.contacts.delete(c.email);
    return json(res, 204);
  }
  const m = /^\/crm\/v3\/objects\/contacts\/(\d+)$/.exec(u.pathname);
  const c = m ? [...v.contacts.values()].find((x) => x.id === m[1]) : undefined;
  if (req.method === 'PATCH' && c) {
    const p = (b.properties ?? {}) as Record<string, string>;
    if (p.email) {
      v.contacts.delete(c.email);
      c.email = p.email.toLowerCase();
      v.contacts.set(c.email, c);
    }
    if (p.firstname) c.first = p.firstname;
    if (p.lastname) c.last = p.lastname;
    if (p.phone) c.phone = p.phone;
    return json(res, 200, contactJson(c));
  }
  return json(res, 404, { status: 'error', message: 'resource not found', category: 'OBJECT_NOT_FOUND' });
}

/** The demo's vendors for customers 1…n (every one a member and a contact). */
export async function startDemoVendors(opts: { customers: number; port?: number }): Promise<DemoVendors> {
  const v: DemoVendors = { url: '', members: new Map(), contacts: new Map(), close: async () => {} };
  for (let n = 1; n <= opts.customers; n++) {
    const { first, last } = demoName(n);
    const email = customerEmail(n);
    v.members.set(email, { id: `m${String(n).padStart(9, '0')}`, email, first, last, status: 'subscribed' });
    v.contacts.set(email, {
      id: String(10_000 + n),
      email,
      first,
      last,
      phone: `+4670${String(n).padStart(7, '0')}`,
    });
  }
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const handle = u.pathname.startsWith('/3.0/') ? mailchimp : hubspot;
    handle(v, req, u, res).catch(() => json(res, 500, { status: 500 }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  }).catch(async (err: { code?: string }) => {
    if (err.code !== 'EADDRINUSE') throw err;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  });
  v.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  v.close = () => new Promise<void>((r) => server.close(() => r()));
  return v;
}
