/**
 * The privacy center's "lost the link?" form: a known address gets a mail (real SMTP on loopback) with a
 * working settings link per company that knows it; an unknown address gets none; the page is the same,
 * and it is sent before the address is looked up, for known and unknown addresses alike.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Db } from '../../src/storage/db.ts';
import { type DeskServer, startDesk } from '../requests/support.ts';

const WORDING = 'Yes, send me the NestIT newsletter.';

describe('privacy center: send me my communication settings link', () => {
  let t: DeskServer;
  beforeAll(async () => {
    t = await startDesk();
    for (const org of ['nestit-sverige', 'bokhylla'])
      expect(
        (
          await t.server.inject({
            method: 'POST',
            url: `/api/v1/organizations/${org}/consents`,
            headers: t.origin,
            payload: {
              identity: { email: 'Frida.Lost@Example.se' },
              purpose: 'communication-subscription',
              channel: 'email',
              wording: WORDING,
              noticeVersion: 1,
              source: 'checkout',
            },
          })
        ).statusCode,
      ).toBe(201);
  }, 60_000);
  afterAll(async () => t?.close());

  const ask = (email: string, lang = 'sv') =>
    t.server.inject({
      method: 'POST',
      url: '/privacy/settings-link',
      payload: new URLSearchParams({ email, lang }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

  test('P07 P08 a known address gets one mail with a settings link per company that knows it; the link opens the settings', async () => {
    const known = await ask('frida.lost@example.se');
    expect(known.statusCode).toBe(200);
    const mail = await t.smtp.waitFor((m) => m.to.includes('frida.lost@example.se'));
    expect(mail.subject).toBe('Dina kommunikationsinställningar hos NestIT Group');
    const links = [...mail.text.matchAll(/(http\S+\/privacy\/preferences\/(\S+?)\?lang=sv)/g)];
    expect(links).toHaveLength(2);
    expect(mail.text).toContain('NestIT Sverige AB');
    expect(mail.text).toContain('Bokhyllan Nordic AB');
    expect(mail.text).not.toContain('Provendo');
    // The link carries an opaque token, never the address.
    for (const [, url] of links) expect(url).not.toMatch(/frida|example\.se/i);
    const token = links[0]![2]!;
    const page = await t.server.inject({ method: 'GET', url: `/privacy/preferences/${token}?lang=sv` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Dina kommunikationsinställningar');
    expect(page.body).toMatch(/name="on" value="[^"]*communication-subscription\|email" checked/);
    // The audit log names subjects, not the address.
    const audit = await t.app.db.query<{ target: string; details: unknown }>(
      "SELECT target, details FROM audit_log WHERE action = 'consent.preference-link.mail'",
    );
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toMatch(/frida/i);
  });

  test('an unknown address gets the same page and no mail; a bad address a clear message', async () => {
    const known = await ask('frida.lost@example.se', 'en');
    const unknown = await ask('nobody.here@example.se', 'en');
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(unknown.body).toBe(known.body);
    expect(unknown.body).toContain('If we have your e-mail address');
    await t.smtp.waitFor((m) => m.to.includes('frida.lost@example.se') && m.subject.startsWith('Your'));
    expect(t.smtp.mails.some((m) => m.to.includes('nobody.here@example.se'))).toBe(false);
    const outbox = await t.app.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM mail_outbox WHERE to_address = 'nobody.here@example.se'",
    );
    expect(outbox[0]!.n).toBe(0);

    const bad = await ask('not-an-address', 'nb');
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Skriv en gyldig e-postadresse');
  });

  test('the answer does not wait for the lookup: with the lookup blocked, known and unknown addresses get the same page, and the lookup and the mail follow', async () => {
    const db = t.app.db;
    const query = db.query;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let lookups = 0;
    // Every subject lookup (src/services/consent/subjects.ts findSubject) waits until released.
    db.query = (async (sql: string, params?: unknown[]) => {
      if (/FROM consent_identities/.test(sql)) {
        lookups++;
        await gate;
      }
      return query.call(db, sql, params);
    }) as Db['query'];
    const mailsBefore = t.smtp.mails.length;
    try {
      // Were the lookup awaited before answering, these would never return (the test times out).
      const known = await ask('frida.lost@example.se', 'nb');
      const unknown = await ask('nobody.here@example.se', 'nb');
      expect(known.statusCode).toBe(200);
      expect(unknown.statusCode).toBe(200);
      expect(unknown.body).toBe(known.body);
      // The same path runs after both answers: each reaches the lookup, where it waits.
      await vi.waitFor(() => expect(lookups).toBeGreaterThanOrEqual(2), { timeout: 5000 });
      expect(t.smtp.mails.length).toBe(mailsBefore);
    } finally {
      release();
      db.query = query;
    }
    const mail = await t.smtp.waitFor(
      (m) => m.to.includes('frida.lost@example.se') && m.text.includes('lang=nb'),
    );
    expect(mail.text).toContain('Bokhyllan Nordic AB');
    expect(t.smtp.mails.some((m) => m.to.includes('nobody.here@example.se'))).toBe(false);
  }, 30_000);

  test('P09 P25 the landing page in the visitor language links the notices, the request form, the settings form and Customize cookies', async () => {
    const sv = await t.server.inject({
      method: 'GET',
      url: '/privacy',
      headers: { 'accept-language': 'sv-SE,sv;q=0.9' },
    });
    expect(sv.headers['content-language']).toBe('sv');
    expect(sv.body).toContain('Integritetscenter — NestIT Group');
    expect(sv.body).toContain('href="/privacy/requests/new?lang=sv"');
    expect(sv.body).toContain('action="/privacy/settings-link"');
    expect(sv.body).toContain('data-ombud-cookie-settings');
    for (const org of ['nestit-group', 'nestit-sverige', 'bokhylla', 'provendo'])
      expect(sv.body).toContain(`href="/privacy/${org}?lang=sv"`);
    const nb = await t.server.inject({ method: 'GET', url: '/privacy?lang=nb' });
    expect(nb.body).toContain('Personvernsenter');
    const notice = await t.server.inject({ method: 'GET', url: '/privacy/provendo?lang=nb' });
    expect(notice.body).toContain(`href="/privacy/requests/new?lang=nb&amp;company=provendo"`);
  });

  test('P05 a change saved in the preference center is proved with the notice the company had in force that day and the words shown', async () => {
    await ask('Frida.Lost@Example.se');
    const mail = await t.smtp.waitFor((m) => m.to.includes('frida.lost@example.se'));
    const link = [...mail.text.matchAll(/\/privacy\/preferences\/(\S+?)\?lang=sv/g)][0]![1]!;
    // Everything off: the newsletter consents given at checkout (at both companies) are withdrawn.
    const saved = await t.server.inject({
      method: 'POST',
      url: `/privacy/preferences/${link}?lang=sv`,
      payload: new URLSearchParams({ action: 'none' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(saved.statusCode).toBe(303);
    const events = await t.app.db.query<{ org_id: string; kind: string; notice_version: number | null }>(
      `SELECT org_id, kind, notice_version FROM consent_events
        WHERE source = 'preference-center' AND purpose_id = 'communication-subscription' AND channel = 'email'
        ORDER BY org_id`,
    );
    // Written by hand: Frida gave the newsletter consent at NestIT Sverige and at Bokhyllan; the demo publishes
    // one notice per company (version 1, in force from the day it is loaded).
    expect(events).toEqual([
      { org_id: 'bokhylla', kind: 'withdraw', notice_version: 1 },
      { org_id: 'nestit-sverige', kind: 'withdraw', notice_version: 1 },
    ]);
  });
});

describe("privacy center: the settings link for a customer known only in the group's own systems", () => {
  let t: DeskServer;
  beforeAll(async () => {
    t = await startDesk({ fulfilment: 'embedded' });
    // A Norwegian web-shop customer who never gave a consent: only the shop knows the address.
    await t.app.db.query(
      `INSERT INTO demo_webshop.customers (id, customer_number, email, first_name, country, created_at, last_activity_at)
       VALUES (990001, 'C-990001', 'kari.shop@example.no', 'Kari', 'NO', now(), now())`,
    );
  }, 120_000);
  afterAll(async () => t?.close());

  const ask = (email: string, lang: string) =>
    t.server.inject({
      method: 'POST',
      url: '/privacy/settings-link',
      payload: new URLSearchParams({ email, lang }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

  test('P07 P44 a web-shop customer gets a link from the company the shop attributes them to, and can object to ad matching there', async () => {
    const res = await ask('Kari.Shop@example.no', 'nb');
    expect(res.statusCode).toBe(200);
    const mail = await t.smtp.waitFor((m) => m.to.includes('kari.shop@example.no'));
    // Written by hand: a Norwegian customer of the shop is Provendo's (customers.country NO), and only Provendo's.
    const links = [...mail.text.matchAll(/(http\S+\/privacy\/preferences\/(\S+?)\?lang=nb)/g)];
    expect(links).toHaveLength(1);
    expect(mail.text).toContain('Provendo AS');
    expect(mail.text).not.toMatch(/NestIT Sverige AB|Bokhyllan Nordic AB/);
    const page = await t.server.inject({
      method: 'GET',
      url: `/privacy/preferences/${links[0]![2]}?lang=nb`,
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="provendo|ad-matching|*" checked');
    const audit = await t.app.db.query<{ details: { foundIn: string } }>(
      "SELECT details FROM audit_log WHERE action = 'consent.preference-link.mail' AND org_id = 'provendo'",
    );
    expect(audit.map((a) => a.details.foundIn)).toEqual(['own-systems']);
    // An address nobody holds still gets nothing, and the same page.
    const unknown = await ask('nobody.shop@example.no', 'nb');
    expect(unknown.body).toBe(res.body);
    await new Promise((r) => setTimeout(r, 500));
    const outbox = await t.app.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM mail_outbox WHERE to_address = 'nobody.shop@example.no'",
    );
    expect(outbox[0]!.n).toBe(0);
  });
});
