/**
 * The "done means" of the request desk, in Debian chromium via playwright-core against a real server:
 * a customer submits an access request in the privacy center, reads the code from the SMTP server,
 * verifies, and an agent signs in to the console and sees the request with its due date.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TEST_ADMIN } from '../support/server.ts';
import { codeIn, type DeskServer, startDesk } from './support.ts';
import { launchBrowser } from '../support/browser.ts';

describe('request desk in a browser', () => {
  let s: DeskServer;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    s = await startDesk();
    await s.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(s.server.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    mkdirSync('test-results', { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  test('P25 P31 P32 P34 submit an access request in the privacy center, verify with the e-mailed code, see it in the console with its due date', async () => {
    const email = 'karin.browser@example.org';
    const customer = await browser.newContext();
    const page = await customer.newPage();
    await page.goto(`${base}/privacy/requests/new`);
    await page.selectOption('#company', 'nestit-sverige');
    await page.selectOption('#type', 'access');
    await page.fill('#email', email);
    await page.fill('#details', 'Please send me a register extract.');
    await page.screenshot({ path: 'test-results/requests-form.png', fullPage: true });
    await page.click('button[type=submit]');
    await page.waitForURL(/\/privacy\/requests\/verify\?s=/);
    expect(page.url()).not.toContain('example.org');

    const mail = await s.smtp.waitFor((m) => m.to.includes(email));
    const code = codeIn(mail)!;
    await page.fill('#code', code);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Request confirmed' }).waitFor();
    const confirmed = await page.textContent('main');
    const reference = /R-[0-9A-F]{8}/.exec(confirmed ?? '')?.[0];
    expect(reference).toBeTruthy();
    // The customer reads the answer date in words ("6 January 2027"); the console shows it as 2027-01-06.
    const MONTHS = [
      'January',
      'February',
      'March',
      'April',
      'May',
      'June',
      'July',
      'August',
      'September',
      'October',
      'November',
      'December',
    ];
    const words = new RegExp(`(\\d{1,2}) (${MONTHS.join('|')}) (\\d{4})`).exec(confirmed ?? '');
    expect(words).toBeTruthy();
    const dueDate = `${words![3]}-${String(MONTHS.indexOf(words![2]!) + 1).padStart(2, '0')}-${words![1]!.padStart(2, '0')}`;
    expect(confirmed).toContain('Swedish Authority for Privacy Protection (IMY)');
    await page.screenshot({ path: 'test-results/requests-confirmed.png', fullPage: true });
    await customer.close();

    const agent = await browser.newContext();
    const console = await agent.newPage();
    await console.goto(`${base}/console/requests`);
    await console.waitForURL(/\/console\/login/);
    await console.fill('input[name=email]', TEST_ADMIN.email);
    await console.fill('input[name=password]', TEST_ADMIN.password);
    await console.click('button[type=submit]');
    await console.waitForURL(/\/console\/requests$/);
    const row = console.locator('#queue tbody tr', { hasText: reference! });
    await expect(row.count()).resolves.toBe(1);
    const rowText = await row.textContent();
    expect(rowText).toContain(dueDate);
    expect(rowText).toContain('verified');
    expect(rowText).toContain('NestIT Sverige AB');
    await console.screenshot({ path: 'test-results/requests-queue.png', fullPage: true });
    await row.getByRole('link').click();
    await console.waitForURL(/\/console\/requests\/[0-9a-f-]{36}$/);
    expect(await console.textContent('#due-date')).toContain(dueDate);
    await console.screenshot({ path: 'test-results/requests-detail.png', fullPage: true });
    await agent.close();
  });
});
