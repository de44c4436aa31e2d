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

describe('extract as PDF', () => {
  test('P25 the access extract is handed over as PDF as well as HTML and JSON, with the same data and Art. 15 information', async () => {
    const who = await richCustomer(s);
    const res = await runFulfilment(fulfilmentDeps(s, db, { now: () => NOW, pdf: renderPdf }), {
      requestId: 'req-pdf-1',
      orgId: 'nestit-sverige',
      type: 'access',
      identities: { customerNumber: who.customerNumber },
    });
    expect(res.status).toBe('done');
    expect(res.artifacts).toEqual(['extract.html', 'extract.json', 'extract.pdf', 'portability.zip']);
    const pdf = (await getArtifact(db, 'req-pdf-1', 'extract.pdf', NOW))!;
    expect(pdf.contentType).toBe('application/pdf');
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
    mkdirSync(OUT, { recursive: true });
    const file = `${OUT}/extract-req-pdf-1.pdf`;
    writeFileSync(file, pdf.body);
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    expect(text).toContain('Your personal data at');
    expect(text).toContain(who.customerNumber);
    expect(text).toContain('Why we process it');
    expect(text).toContain('Your rights');
    // Wide tables are not cut off at the margin: the last column of the customers table is on the page.
    expect(text).toContain('created at');
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, `${OUT}/extract-req-pdf-1`]);
  }, 120_000);
});
