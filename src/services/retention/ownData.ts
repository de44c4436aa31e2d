/**
 * Ombud's own data in a retention run (core/retention/ownData.ts says which rule ends which store and its
 * cut-off): in Ombud's database, set-based, one statement per table. A dry run counts the same
 * predicates. The trigger days are read in the controllers' time zone, as the group's databases' are.
 *
 * - requests (anonymise): submissions whose requests are all closed (or that never became one) before the
 *   cut-off lose the e-mail address, its keyed hash and the name; their requests lose what the requester
 *   wrote, their events the agents' notes, and the verification code goes. The request stays as a record.
 * - consent-proof (delete): the identities of a consent subject with no consent standing (no grant, and no
 *   objection, which must go on suppressing) whose last consent event is before the cut-off. The events
 *   stay, linked to no one.
 * - mail (delete): sent (or finally failed) mails before the cut-off lose body and address; a masked
 *   address stays.
 * - result-files (delete): extracts and portable files whose link expired before the cut-off.
 *
 * Outcomes are counts only, under system and dataset 'ombud'; a store with nothing past its rule has none.
 */
import type { IsoDate } from '../../core/deadlines/iso-date.ts';
import { OWN_DATASET, type OwnCutoff, type OwnStore } from '../../core/retention/ownData.ts';
import type { Db } from '../../storage/db.ts';
import type { RetentionOutcome } from './sweep.ts';

/** A store's statements: the rows past its rule (`$1` cut-off day, `$2` time zone) and what changes them. */
type StoreSql = {
  collection: string;
  action: 'anonymise' | 'delete';
  /** SELECT of the keys of the rows past the rule. */
  due: string;
  /** Statements that change them, given the keys as table `due` (`$1`, where used, is the run's time). */
  change: string[];
};

const day = (col: string) => `((${col}) AT TIME ZONE $2)::date`;

const submissionsDue = `SELECT s.id FROM dsr_submissions s
  WHERE s.anonymised_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM dsr_requests r WHERE r.submission_id = s.id AND r.closed_at IS NULL)
    AND ${day('COALESCE((SELECT max(r.closed_at) FROM dsr_requests r WHERE r.submission_id = s.id), s.created_at)')} < $1::date`;

const subjectsDue = `SELECT cs.id FROM consent_subjects cs
  WHERE EXISTS (SELECT 1 FROM consent_identities i WHERE i.subject_id = cs.id)
    AND NOT EXISTS (SELECT 1 FROM consent_state st WHERE st.subject_id = cs.id AND st.status IN ('granted', 'objected'))
    AND ${day('COALESCE((SELECT max(e.at) FROM consent_events e WHERE e.subject_id = cs.id), cs.created_at)')} < $1::date`;

const STORES: Record<OwnStore, StoreSql[]> = {
  requests: [
    {
      collection: 'dsr_submissions',
      action: 'anonymise',
      due: submissionsDue,
      change: [
        'UPDATE dsr_requests SET details = NULL WHERE submission_id IN (SELECT id FROM due) AND details IS NOT NULL',
        `UPDATE dsr_events SET note = NULL
          WHERE note IS NOT NULL AND request_id IN (SELECT r.id FROM dsr_requests r WHERE r.submission_id IN (SELECT id FROM due))`,
        'DELETE FROM dsr_verification_codes WHERE submission_id IN (SELECT id FROM due)',
        `UPDATE dsr_submissions SET email = NULL, email_sealed = NULL, email_hash = NULL, name = NULL, name_sealed = NULL,
                anonymised_at = $1::timestamptz
          WHERE id IN (SELECT id FROM due)`,
      ],
    },
  ],
  'consent-proof': [
    {
      collection: 'consent_identities',
      action: 'delete',
      due: `SELECT i.subject_id, i.org_id, i.kind, i.value_hash FROM consent_identities i WHERE i.subject_id IN (${subjectsDue})`,
      change: [
        `DELETE FROM consent_identities WHERE (subject_id, org_id, kind, value_hash) IN
          (SELECT subject_id, org_id, kind, value_hash FROM due)`,
      ],
    },
  ],
  mail: [
    {
      collection: 'mail_outbox',
      action: 'delete',
      due: `SELECT id FROM mail_outbox
        WHERE body_removed_at IS NULL AND status IN ('sent', 'failed')
          AND ${day('COALESCE(sent_at, created_at)')} < $1::date`,
      change: [
        `UPDATE mail_outbox SET body = '',
                to_address = left(to_address, 1) || '***@' || split_part(to_address, '@', 2),
                body_removed_at = $1::timestamptz
          WHERE id IN (SELECT id FROM due)`,
      ],
    },
  ],
  'result-files': [
    {
      collection: 'dsr_deliveries',
      action: 'delete',
      due: `SELECT id FROM dsr_deliveries WHERE deleted_at IS NULL AND ${day('expires_at')} < $1::date`,
      change: [
        `UPDATE dsr_deliveries SET ciphertext = '', iv = '', tag = '', deleted_at = $1::timestamptz
          WHERE id IN (SELECT id FROM due)`,
      ],
    },
    {
      collection: 'fulfilment_artifacts',
      action: 'delete',
      due: `SELECT request_id, name FROM fulfilment_artifacts WHERE ${day('expires_at')} < $1::date`,
      change: [
        `DELETE FROM fulfilment_artifacts WHERE (request_id, name) IN (SELECT request_id, name FROM due)`,
      ],
    },
  ],
};

/**
 * Sweep Ombud's own stores for a day, in `db` (the caller's transaction): counts for a dry run, the changes
 * otherwise. `at` is the run's time, written as when the data was removed.
 */
export async function sweepOwnData(
  db: Db,
  cutoffs: OwnCutoff[],
  opts: { today: IsoDate; timeZone: string; dryRun: boolean; at: Date },
): Promise<RetentionOutcome[]> {
  const out: RetentionOutcome[] = [];
  for (const c of cutoffs)
    for (const s of STORES[c.store]) {
      let rows = 0;
      if (c.before) {
        const params = [c.before, opts.timeZone];
        const [n] = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM (${s.due}) d`, params);
        rows = Number(n?.n ?? 0);
        if (rows && !opts.dryRun)
          await db.transaction(async (tx) => {
            // The keys first, then each statement over them: a statement that empties a column the
            // predicate reads (closed requests' submissions) does not change what the next one sees.
            await tx.query(`CREATE TEMP TABLE due ON COMMIT DROP AS ${s.due}`, params);
            for (const stmt of s.change)
              await tx.query(stmt, stmt.includes('$1') ? [opts.at.toISOString()] : []);
            await tx.query('DROP TABLE due');
          });
      }
      if (rows)
        out.push({
          system: OWN_DATASET,
          dataset: OWN_DATASET,
          collection: s.collection,
          rule: c.rule.id,
          action: s.action,
          detail: c.store,
          rows,
        });
    }
  return out;
}
