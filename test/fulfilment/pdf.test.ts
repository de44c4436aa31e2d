/**
 * The access extract as PDF: the same HTML the subject can read, printed by Debian's Chromium through
 * playwright-core. Checked with poppler: the text is there, and a page rendered to PNG is looked at.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderPdf } from '../../src/services/fulfilment/pdf.ts';
import { getArtifact, runFulfilment } from '../../src/services/fulfilment/runFulfilment.ts';
import type { Db } from '../../src/storage/db.ts';
import { freshDb } from '../support/db.ts';
import {
  fulfilmentDeps,
  type NestitSystems,
  nestitSystems,
  richCustomer,
} from '../support/nestit-systems.ts';

const OUT = 'test-results/screenshots';
const NOW = new Date('2026-11-25T10:00:00Z');
let s: NestitSystems;
let db: Db;
beforeAll(async () => {
  s = await nestitSystems({ customers: 40 });
  db = await freshDb('pglite');
}, 120_000);
afterAll(async () => {
  await s?.close();
  await db?.close();
});

/** Column names of the demo systems a customer must never read (hand list). */
const RAW_COLUMNS = [
  'amount_cents',
  'total_cents',
  'unit_price_cents',
  'seller_org',
  'customer_id',
  'created_at',
  'placed_at',
  'invoice_date',
  'last_activity_at',
  'amount cents',
  'total cents',
  'seller org',
  'created at',
];

describe('extract as PDF', () => {
  test('P25 P19 the access extract is handed over as PDF as well as HTML and JSON: in Swedish, legible, no column names, with the transfer safeguards', async () => {
    const who = await richCustomer(s);
    const res = await runFulfilment(fulfilmentDeps(s, db, { now: () => NOW, pdf: renderPdf }), {
      requestId: 'req-pdf-1',
      orgId: 'nestit-sverige',
      type: 'access',
      identities: { customerNumber: who.customerNumber },
      lang: 'sv',
      reference: 'R-PDF00001',
    });
    expect(res.status).toBe('done');
    expect(res.artifacts).toEqual(['extract.html', 'extract.json', 'extract.pdf', 'portability.zip']);
    const pdf = (await getArtifact(db, 'req-pdf-1', 'extract.pdf', NOW))!;
    expect(pdf.contentType).toBe('application/pdf');
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
    mkdirSync(OUT, { recursive: true });
    const file = `${OUT}/extract-req-pdf-1.pdf`;
    writeFileSync(file, pdf.body);
    // Thin and non-breaking spaces (in "2 694,27 kr") read as plain spaces.
    const text = execFileSync('pdftotext', ['-layout', file, '-'])
      .toString()
      .replace(/[\u00a0\u202f\u2009]/g, ' ');
    expect(text).toContain('Dina personuppgifter hos NestIT Sverige AB');
    expect(text).toContain('R-PDF00001');
    expect(text).toContain(who.customerNumber);
    expect(text).toContain('Varför och hur vi behandlar dina uppgifter');
    expect(text).toContain('Dina rättigheter');
    expect(text).toContain('Dina fakturor');
    expect(text).toContain('Fakturadatum');
    // Art. 15(2): the analyses' recipient in the US and its safeguard, in Swedish.
    expect(text).toContain('Överföringar utanför EU/EES');
    expect(text).toContain('EU–US Data Privacy Framework');
    expect(text).toContain('Google LLC är certifierat');
    expect(text).toMatch(/Belopp\s+[\d ]+,\d\d kr/);
    for (const col of RAW_COLUMNS) expect(text, col).not.toContain(col);
    // No reference or number is broken over two lines: each customer number is whole on its line.
    expect(text.split('\n').some((l) => l.includes(who.customerNumber))).toBe(true);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '3', file, `${OUT}/extract-req-pdf-1`]);
  }, 120_000);
});
