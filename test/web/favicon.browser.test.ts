/**
 * The icon (issue 15 item 5): /favicon.ico is a real ICO holding a 32×32 PNG that Chromium decodes to the
 * drawn shape, and the public and console pages load without a single 404 (the tab asks for the icon).
 */
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let ts: TestServer;
let base: string;
let browser: Browser;

beforeAll(async () => {
  ts = await startTestServer();
  await ts.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(ts.server.server.address() as AddressInfo).port}`;
  ts.configure({ publicUrl: base });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await ts?.close();
});

describe('the icon', () => {
  test('/favicon.ico is an ICO with one 32×32 PNG that Chromium draws as a white ring on blue', async () => {
    const res = await fetch(`${base}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/x-icon');
    const ico = Buffer.from(await res.arrayBuffer());
    // ICONDIR: reserved 0, type 1 (icon), 1 image; the entry: 32×32, 32 bpp, the PNG at offset 22.
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, 1]);
    expect([ico[6], ico[7], ico.readUInt16LE(12), ico.readUInt32LE(18)]).toEqual([32, 32, 32, 22]);
    const png = ico.subarray(22);
    expect(ico.readUInt32LE(14)).toBe(png.length);
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    const page = await browser.newPage();
    const pixels = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const at = (x: number, y: number) => [...g.getImageData(x, y, 1, 1).data];
      return {
        size: [img.naturalWidth, img.naturalHeight],
        centre: at(16, 16),
        ring: at(24, 16),
        corner: at(0, 0),
      };
    }, png.toString('base64'));
    expect(pixels).toEqual({
      size: [32, 32],
      centre: [0x1a, 0x56, 0xc4, 255],
      ring: [255, 255, 255, 255],
      corner: [0, 0, 0, 0],
    });
    await page.close();
  });

  test('pages name the SVG icon and load without a 404', async () => {
    const page = await browser.newPage();
    const missing: string[] = [];
    page.on('response', (r) => {
      if (r.status() === 404) missing.push(new URL(r.url()).pathname);
    });
    for (const path of ['/privacy', '/privacy/nestit-group?lang=sv', '/console/login']) {
      await page.goto(`${base}${path}`);
      const href = await page.locator('link[rel="icon"]').getAttribute('href');
      expect(href).toBe('/favicon.svg');
      const svg = await page.evaluate(async (u) => (await fetch(u)).headers.get('content-type'), href!);
      expect(svg).toBe('image/svg+xml');
    }
    expect(missing).toEqual([]);
    await page.close();
  });
});
