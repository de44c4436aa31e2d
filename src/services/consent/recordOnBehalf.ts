/**
 * A change a customer asks for by phone or letter, recorded at the console's consent desk on their behalf
 * (source 'customer-service', actor the agent). A consent is recorded only where the register collects
 * that purpose's consent at customer service; elsewhere one validation error names the sources and
 * channels it allows. The proof carries the notice version in force and the exact wording.
 */
import { collectionRefusal, refusalSentence } from '../../core/consent/collection.ts';
import { todayIn } from '../../app.ts';
import { validationError } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { t } from '../../core/register/schema.ts';
import type { Db } from '../../storage/db.ts';
import type { Actor } from '../audit/auditLog.ts';
import type { ConsentKeys } from './keys.ts';
import { noticeVersionInForce } from '../notice/noticeInForce.ts';
import { type RecordInput, recordConsentEvent } from './recordConsentEvent.ts';

export const DESK_SOURCE = 'customer-service';

export async function recordOnBehalf(
  db: Db,
  actor: Actor,
  keys: ConsentKeys,
  index: RegisterIndex,
  input: Omit<RecordInput, 'source' | 'noticeVersion' | 'at'>,
  now: Date,
) {
  const purpose = index.purposes.get(input.purposeId);
  const refusal = input.kind === 'grant' && purpose ? collectionRefusal(purpose, DESK_SOURCE) : undefined;
  if (refusal) {
    const sentence = refusalSentence(refusal, t(purpose!.name, 'en'));
    const hint = `Ask the customer to give it there, or add ${DESK_SOURCE} to the purpose's consent.collectedAt in the register.`;
    throw validationError(
      'consent-not-collected-here',
      sentence,
      [{ path: ['source'], message: sentence, hint }],
      hint,
    );
  }
  const wording =
    input.wording?.trim() ||
    (input.kind === 'grant' ? undefined : `Asked customer service to ${input.kind.replace('-', ' ')}.`);
  const org = index.organization(input.orgId);
  const noticeVersion = await noticeVersionInForce(db, input.orgId, todayIn(now, org?.timeZone));
  return recordConsentEvent(
    db,
    actor,
    keys,
    index,
    { ...input, wording, noticeVersion, source: DESK_SOURCE },
    now,
  );
}
