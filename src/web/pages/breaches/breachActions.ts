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

const LEVEL_LABEL: Record<(typeof RISK_LEVELS)[number], string> = {
  'no-risk': 'No risk: not notified, documented (Art. 33(5))',
  risk: 'Risk: notify the authority (Art. 33)',
  'high-risk': 'High risk: notify the authority and tell the people (Art. 34)',
};

const step = (title: string, body: Html | string) => html`<div class="step"><h3>${title}</h3>${body}</div>`;

function assessForm(b: Breach): Html {
  const action = `/console/breaches/${b.id}/assessment`;
  // The suggestion from the scope alone (the boxes below may raise or lower it when the decision is recorded).
  const suggested = b.scope ? suggestRisk(factorsFromScope(b.scope)) : null;
  return postForm({
    action,
    fields: html`${suggested ? html`<p class="muted" id="risk-suggested">Suggested from the scope: <strong>${suggested.level}</strong> (${suggested.reasons.join('; ')}).</p>` : ''}${selectField(
      {
        id: 'risk-level',
        name: 'level',
        label: 'Risk to the people affected',
        options: RISK_LEVELS.map((l) => ({ value: l, label: LEVEL_LABEL[l] })),
        selected: b.risk?.level ?? suggested?.level,
        required: true,
      },
    )}
<label><input type="checkbox" name="vulnerableSubjects" value="on"> Vulnerable people among them (children, patients)</label>
<label><input type="checkbox" name="encrypted" value="on"> The data was encrypted (the key not exposed)</label>
${textareaField({ id: 'risk-reason', name: 'reason', label: 'Reason (kept with the decision)' })}`,
    submit: 'Record the decision',
  });
}

export function breachActions(b: Breach): Html {
  const steps: Html[] = [
    step(
      '1. Scope',
      postForm({
        action: `/console/breaches/${b.id}/scope`,
        fields: html`<p class="muted">Counts the people affected in the group's databases (a count, never a copy).</p>`,
        submit: b.scope ? 'Scope again' : 'Scope from the data map',
      }),
    ),
    step('2. Risk', b.scope ? assessForm(b) : html`<p class="muted">Scope the breach first.</p>`),
  ];
  if (b.decision === 'notify' && b.scope)
    steps.push(
      step(
        '3. Notify the authorities',
        html`${postForm({
          action: `/console/breaches/${b.id}/notifications`,
          fields: selectField({
            id: 'draft-org',
            name: 'orgId',
            label: 'Draft the next phase for',
            options: [
              { value: '', label: 'every controller concerned' },
              ...b.scope.controllers.map((c) => ({ value: c.orgId, label: `${c.orgId} (a follow-up)` })),
            ],
          }),
          submit: 'Draft the notifications',
        })}${
          b.notifiedAt
            ? ''
            : postForm({
                action: `/console/breaches/${b.id}/notified`,
                fields: html`<p class="muted">Once the drafts are submitted to the authorities: the clock stops.</p>`,
                submit: 'Mark the authorities notified now',
              })
        }`,
      ),
    );
  if (b.risk?.level === 'high-risk')
    steps.push(
      step(
        '4. Tell the people affected (Art. 34)',
        postForm({
          action: `/console/breaches/${b.id}/tell`,
          fields: html`<p class="muted">Lists the people affected and sends each the mail in their language, in batches; nobody is told twice.</p>`,
          submit: 'Tell the people affected',
          danger: true,
        }),
      ),
    );
  return card(html`${steps}`, { title: 'Actions', id: 'breach-actions' });
}
