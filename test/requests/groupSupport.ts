/** A group request known at all four companies of the demo group, split into four company requests. */
import { expect } from 'vitest';
import type { DeskApi } from '../integration/support.ts';
import { objectToSurveys } from '../support/http.ts';

export const FOUR = ['bokhylla', 'nestit-group', 'nestit-sverige', 'provendo'];

/** Files a group request of `type` for `email` (made known at every company by an objection), verified. */
export async function groupOfFour(
  d: DeskApi,
  email: string,
  type = 'erasure',
): Promise<{ parent: string; children: Record<string, string> }> {
  for (const org of FOUR) expect((await objectToSurveys(d.api, org, email)).statusCode).toBe(201);
  const [parent] = (await d.fileAndVerify({ company: 'group', type, email } as never)) as [string];
  const g = (await d.api('GET', `/api/v1/requests/${parent}`)).json();
  expect(g.request.state).toBe('split');
  const children = g.request.decision.routing.requests as Record<string, string>;
  expect(Object.keys(children).sort()).toEqual(FOUR);
  return { parent, children };
}
