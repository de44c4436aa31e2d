/**
 * `collect:<system>`: an access asks each service with an HTTP connector that the register lists for one
 * of the controller's purposes (servicesToAsk) for the subject's data; the extract waits for the answers.
 */
import type { Step } from './step.ts';
import { tellRecipient } from './notify.ts';

export const collectStep: Step = {
  kind: 'collect',
  plan: (p) => (p.type === 'access' ? p.askServices.map((s) => `collect:${s}`) : []),
  run: (ctx, systemId) => tellRecipient(ctx, systemId, 'access', undefined),
};
