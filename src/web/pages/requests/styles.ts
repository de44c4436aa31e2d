/** The request desk's stylesheet and words shared by its pages. */
import type { Language } from '../../../core/register/schema.ts';

export const DESK_CSS = `.due-overdue{background:#fce8e6;color:#8c1d18;font-weight:600}
.due-due-soon{background:#fef7e0;color:#7a4d00;font-weight:600}
.due-on-track{color:#1d6b3a}.timeline li{margin:.3rem 0}
.actions form{border-top:1px solid #eceff3;padding:.6rem 0}.actions form button{display:block;margin-top:.4rem}
.filters{display:flex;gap:.6rem;align-items:end;flex-wrap:wrap}.filters label{margin:0}
.charts{display:flex;gap:1.2rem;flex-wrap:wrap;align-items:flex-start}
form.stack input,form.stack select,form.stack textarea{width:100%;max-width:32rem}
.table-scroll{overflow-x:auto}#queue td:first-child{white-space:nowrap}
.table-scroll td.nowrap,.table-scroll .nowrap{white-space:nowrap}
.actions input,.actions select,.actions textarea{width:100%;max-width:100%;box-sizing:border-box}
.actions details{border-top:1px solid #eceff3;padding:.6rem 0}
.actions details summary{cursor:pointer;font-weight:600;color:#1a56c4}
.actions details form:first-of-type{border-top:0}button.danger{background:#b3261e;border-color:#b3261e;color:#fff}
.mail-body{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fb;padding:.8rem;border-radius:6px;font-size:.9rem}
.mail h2{font-size:1.05rem;margin:0 0 .3rem}
@media (max-width:700px){.hide-narrow{display:none}.grid{grid-template-columns:1fr}}`;

/** A request's due-date status (listRequests' `queueStatus`) in words. */
export const STATUS_LABEL: Record<string, string> = {
  overdue: 'overdue',
  'due-soon': 'due soon',
  'on-track': 'on track',
  closed: 'closed',
  'awaiting-payment': 'waiting for the fee',
};

export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', sv: 'Svenska', nb: 'Norsk bokmål' };
