import { type Html, html, raw } from '../../../core/html.ts';
import { consolePage } from '../../layout.ts';
import type { Content } from '../../components/content.ts';
import { consentWords } from './words.ts';

const CSS = `.kind-grant,.kind-lift-objection{color:#1d6b3a;font-weight:600}
.kind-withdraw,.kind-object{color:#8c1d18;font-weight:600}
.on{color:#1d6b3a;font-weight:600}.off{color:#8c1d18;font-weight:600}
form.row{display:flex;gap:.5rem;align-items:end;flex-wrap:wrap}form.row label{margin:0}
td form{display:flex;gap:.4rem;align-items:center;flex-wrap:wrap}td form input[name=wording]{min-width:16rem}
button.danger{background:#b3261e;border-color:#b3261e;color:#fff;margin-bottom:.8rem}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.charts svg{max-width:100%;height:auto}.charts figure{margin:0}.charts figcaption{font-weight:600;font-size:.9rem}.error{margin-bottom:1rem}.refusal{margin:0;color:#5f6b7c;font-size:.88rem;max-width:30rem}td form label{margin:0;font-weight:600;font-size:.88rem}td .pill{white-space:nowrap}.card>:first-child{margin-top:0}`;

/** A page of the console's consent desk: its stylesheet, then the body. */
export function consentConsolePage(body: Content): Html {
  return raw(
    consolePage({
      title: consentWords().title,
      active: 'consent',
      body: html`<style>${raw(CSS)}</style>
${body}`,
    }),
  );
}
