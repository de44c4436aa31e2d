/**
 * The public page shell and the stylesheet every Ombud page shares (pure): the privacy center's pages,
 * the console (src/web/layout.ts adds its navigation) and the subject's extract (src/services/fulfilment/extract.ts).
 */
import { type Html, html, raw } from './html.ts';

export const BASE_CSS = `*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f7f8fa}
a{color:#1a56c4}header.top{display:flex;flex-wrap:wrap;align-items:center;gap:.6rem .9rem;background:#13233f;color:#fff;padding:.7rem 1.4rem;font-size:.875rem}
header.top a{color:#dce6f7;text-decoration:none}header.top a:hover{color:#fff}header.top .brand{font-weight:700;font-size:1.1rem;color:#fff;margin-right:auto}
header.top nav{display:flex;flex-wrap:wrap;gap:.4rem 1rem;order:3;flex-basis:100%;padding-top:.45rem;border-top:1px solid #2a3d60}header.top nav a[aria-current=page]{color:#fff;font-weight:600;text-decoration:underline;text-underline-offset:.3em}main{max-width:76rem;margin:1.4rem auto;padding:0 1.4rem}
.card{background:#fff;border:1px solid #e1e5ec;border-radius:10px;padding:1rem 1.2rem;margin-bottom:1.2rem}
h1{font-size:1.6rem;margin:.3rem 0 1rem}h2{font-size:1.2rem;margin:.2rem 0 .8rem}
table.data{border-collapse:collapse;width:100%;font-size:.92rem}table.data th,table.data td{text-align:left;padding:.4rem .55rem;border-bottom:1px solid #eceff3;vertical-align:top}
table.data th{font-weight:600;color:#3c4657;background:#fafbfc}.pill{display:inline-block;padding:.05rem .5rem;border-radius:99px;font-size:.78rem;background:#eef1f5;margin:0 .2rem .2rem 0}
.pill.consent{background:#e6f4ea}.pill.legitimate-interests{background:#fef7e0}.pill.contract{background:#e8f0fe}.pill.legal-obligation{background:#f1e8fd}.pill.warn{background:#fce8e6;color:#8c1d18}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:1rem}.stat{font-size:1.8rem;font-weight:700}.muted{color:#5f6b7c}
form.inline{display:inline}button,.button{font:inherit;padding:.45rem .9rem;border-radius:6px;border:1px solid #1a56c4;background:#1a56c4;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:#1a56c4}input,select,textarea{font:inherit;padding:.45rem .6rem;border:1px solid #c4ccd8;border-radius:6px}
label{display:block;font-weight:600;margin:.6rem 0 .2rem}.error{background:#fce8e6;border:1px solid #f3b7b1;color:#8c1d18;padding:.6rem .8rem;border-radius:6px}
.diagram{overflow-x:auto}footer.site{max-width:76rem;margin:2rem auto;padding:1rem 1.4rem;color:#5f6b7c;font-size:.88rem;border-top:1px solid #e1e5ec}footer.site a{display:inline-block;padding:.3rem 0;min-height:24px}
.menu-toggle{display:none}.card{overflow-x:auto}.grid>.card{margin-bottom:0}.grid:has(>.card){margin-bottom:1.2rem}@media (max-width:40rem){header.top{padding:.6rem 1rem;gap:.5rem .75rem}.grid{grid-template-columns:repeat(auto-fit,minmax(9rem,1fr))}header.top button{padding:.3rem .7rem}header.top .brand{margin-right:auto}
header.top nav{order:3;flex-basis:100%;gap:.35rem 1rem;padding-top:.45rem;border-top:1px solid #2a3d60}main{padding:0 1rem}
header.top nav{display:none;flex-direction:column}header.top nav a{padding:.35rem 0}input.menu-toggle{display:block;position:absolute;opacity:0;width:1px;height:1px;margin:0}
label.menu-toggle{display:inline-block;margin:0;font-weight:600;padding:.3rem .7rem;border:1px solid #4a5f85;border-radius:6px;cursor:pointer;color:#fff}label.menu-toggle::before{content:"☰ "}
input.menu-toggle:checked~nav{display:flex}input.menu-toggle:checked+label.menu-toggle{background:#2a3d60}input.menu-toggle:focus-visible+label.menu-toggle{outline:2px solid #fff;outline-offset:2px}}`;

export function publicPage(opts: { title: string; lang: string; body: Html | Html[]; css?: string }): string {
  return html`<!doctype html><html lang="${opts.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="/favicon.svg" type="image/svg+xml">
<title>${opts.title}</title><style>${raw(BASE_CSS)}${raw(opts.css ?? '')}</style></head><body>
<main>${opts.body}</main></body></html>`.value;
}
