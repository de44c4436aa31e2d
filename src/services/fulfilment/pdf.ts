/**
 * The access extract as PDF: the extract's own HTML printed by Chromium (Debian's, driven by playwright-core;
 * never a downloaded browser). The page is rendered offline: every network request is refused, so nothing
 * in the extract can make the renderer fetch anything. One browser per call, closed afterwards.
 */
export const CHROMIUM_PATH = process.env.OMBUD_CHROMIUM ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function renderPdf(html: string, opts: { executablePath?: string } = {}): Promise<Uint8Array> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: opts.executablePath ?? CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false });
    await context.route('**/*', (route) => route.abort());
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      margin: { top: '15mm', bottom: '15mm', left: '12mm', right: '12mm' },
    });
    return new Uint8Array(pdf);
  } finally {
    await browser.close();
  }
}
