/**
 * The access extract as PDF: the extract's own HTML printed by Chromium (Debian's, driven by playwright-core;
 * never a downloaded browser). The page is rendered offline: every network request is refused, so nothing
 * in the extract can make the renderer fetch anything. One browser per call, closed afterwards.
 */
export const CHROMIUM_PATH = process.env.OMBUD_CHROMIUM ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const PRINT_CSS = `
  div { overflow: visible !important; }
  body { background: #fff !important; }
  table { width: 100%; border-collapse: collapse; font-size: 8.5pt; }
  th, td { overflow-wrap: break-word; padding: 2px 4px; vertical-align: top; }
  .nw { white-space: nowrap; overflow-wrap: normal; }
  tr, h2, h3, h4 { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
`;

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
    // On paper nothing scrolls: wide tables wrap and shrink instead of being cut off at the margin; numbers,
    // dates and references never break (class "nw").
    const printable = html.includes('</head>')
      ? html.replace('</head>', `<style>${PRINT_CSS}</style></head>`)
      : `<style>${PRINT_CSS}</style>${html}`;
    await page.setContent(printable, { waitUntil: 'load' });
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
