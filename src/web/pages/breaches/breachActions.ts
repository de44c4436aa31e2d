/**
 * The actions on one breach in the console, each a form that posts to `/console/breaches/:id/<action>`
 * (the same service calls as the API's routes): scope it from the data map, record the risk decision with
 * a reason, draft the authority notifications, record that they were notified, tell the people affected
 * (Art. 34). Each appears when it can be done; shown only to a viewer who may change the breach.
 */
import { factorsFromScope, RISK_LEVELS, suggestRisk } from '../../../core/breaches/risk.ts';
import { type Html, html } from '../../../core/html.ts';
import type { Breach } from '../../../services/breaches/store.ts';
import { card } from '../../components/card.ts';
import { postForm } from '../../components/postForm.ts';
import { selectField } from '../../components/selectField.ts';
import { textareaField } from '../../components/textareaField.ts';
import { breachWords } from './words.ts';

const step = (title: string, body: Html | string) => html`<div class="step"><h3>${title}</h3>${body}</div>`;

function assessForm(b: Breach): Html {
  const action = `/console/breaches/${b.id}/assessment`;
  const w = breachWords();
  // The suggestion from the scope alone (the boxes below may raise or lower it when the decision is recorded).
  const suggested = b.scope ? suggestRisk(factorsFromScope(b.scope)) : null;
  return postForm({
    action,
    fields: html`${suggested ? html`<p class="muted" id="risk-suggested">${w.suggestedFromScope} <strong>${w.level[suggested.level]}</strong> (${suggested.reasons.join('; ')}).</p>` : ''}${selectField(
      {
        id: 'risk-level',
        name: 'level',
        label: w.riskToPeople,
        options: RISK_LEVELS.map((l) => ({ value: l, label: w.levelLabel[l] })),
        selected: b.risk?.level ?? suggested?.level,
        required: true,
      },
    )}
<label><input type="checkbox" name="vulnerableSubjects" value="on"> ${w.vulnerable}</label>
<label><input type="checkbox" name="encrypted" value="on"> ${w.encrypted}</label>
${textareaField({ id: 'risk-reason', name: 'reason', label: w.reasonKept })}`,
    submit: w.recordDecision,
  });
}

export function breachActions(b: Breach): Html {
  const w = breachWords();
  const steps: Html[] = [
    step(
      w.step1,
      postForm({
        action: `/console/breaches/${b.id}/scope`,
        fields: html`<p class="muted">${w.countsNote}</p>`,
        submit: b.scope ? w.scopeAgain : w.scopeFromMap,
      }),
    ),
    step(w.step2, b.scope ? assessForm(b) : html`<p class="muted">${w.scopeFirst}</p>`),
  ];
  if (b.decision === 'notify' && b.scope)
    steps.push(
      step(
        w.step3,
        html`${postForm({
          action: `/console/breaches/${b.id}/notifications`,
          fields: selectField({
            id: 'draft-org',
            name: 'orgId',
            label: w.draftFor,
            options: [
              { value: '', label: w.everyController },
              ...b.scope.controllers.map((c) => ({ value: c.orgId, label: w.aFollowUp(c.orgId) })),
            ],
          }),
          submit: w.draft,
        })}${
          b.notifiedAt
            ? ''
            : postForm({
                action: `/console/breaches/${b.id}/notified`,
                fields: html`<p class="muted">${w.clockStops}</p>`,
                submit: w.markNotified,
              })
        }`,
      ),
    );
  if (b.risk?.level === 'high-risk')
    steps.push(
      step(
        w.step4,
        postForm({
          action: `/console/breaches/${b.id}/tell`,
          fields: html`<p class="muted">${w.tellNote}</p>`,
          submit: w.tell,
          danger: true,
        }),
      ),
    );
  return card(html`${steps}`, { title: w.actions, id: 'breach-actions' });
}
