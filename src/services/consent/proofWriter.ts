/**
 * Group commit of cookie-banner proofs: the proofs that arrive while earlier ones are being written are
 * written together, in one INSERT of many rows (one statement, one transaction, one WAL flush), and each
 * caller's promise resolves only when that statement has committed. A 201 therefore still means durable
 * (PostgreSQL's synchronous_commit on, its default). Under light load a proof is written alone at once:
 * nothing waits for a timer. Under heavy load the batches grow up to `batchMax` rows, which is what lets one
 * process store thousands of proofs a second (bench/edge).
 *
 * A failed batch is retried one proof at a time, so one bad row cannot fail the others' requests. A proof
 * sent again with the same `proofId` (the banner retries when it gets no answer, e.g. when a process was
 * killed after the commit and before the 201) is stored once and answered with the first row's number.
 */
import type { CookieConsentProof } from '../../core/consent/banner.ts';
import type { Db } from '../../storage/db.ts';

type Pending = {
  proof: CookieConsentProof;
  at: Date;
  resolve: (seq: number) => void;
  reject: (err: unknown) => void;
};

/** At most this many batches are written at once (each on its own pooled connection). */
const CONCURRENT_BATCHES = 2;

const INSERT_MANY = `INSERT INTO cookie_consents
    (consent_id, org_id, action, categories, inventory_version, gpc, lang, url, at, proof_id)
  SELECT consent_id, org_id, action, categories::jsonb, inventory_version, gpc, lang, url, at, proof_id
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::text[],
                $9::timestamptz[], $10::text[]) WITH ORDINALITY
         AS p(consent_id, org_id, action, categories, inventory_version, gpc, lang, url, at, proof_id, n)
   ORDER BY n
  ON CONFLICT (consent_id, proof_id) WHERE proof_id IS NOT NULL DO NOTHING
  RETURNING seq, consent_id, proof_id`;

/** The rows already stored for proofs sent again (same consent id and proof id). */
const STORED = `SELECT c.seq, c.consent_id, c.proof_id
  FROM unnest($1::text[], $2::text[]) AS p(consent_id, proof_id)
  JOIN cookie_consents c ON c.consent_id = p.consent_id AND c.proof_id = p.proof_id`;

type Stored = { seq: string | number; consent_id: string; proof_id: string | null };
const keyOf = (consentId: string, proofId: string) => `${consentId}\u0000${proofId}`;

export type ProofWriter = { write(proof: CookieConsentProof, at: Date): Promise<number> };

export function proofWriter(db: Db, batchMax: number): ProofWriter {
  const queue: Pending[] = [];
  let writing = 0;

  const insert = async (batch: Pending[]) => {
    const col = <T>(f: (p: Pending) => T) => batch.map(f);
    const rows = await db.query<Stored>(
      INSERT_MANY,
      [
        col((p) => p.proof.consentId),
        col((p) => p.proof.org),
        col((p) => p.proof.action),
        col((p) => JSON.stringify(p.proof.categories)),
        col((p) => p.proof.inventoryVersion),
        col((p) => p.proof.gpc),
        col((p) => p.proof.lang),
        col((p) => p.proof.url),
        col((p) => p.at.toISOString()),
        col((p) => p.proof.proofId ?? null),
      ],
      { name: 'ombud_cookie_proofs' },
    );
    // Proofs with an id are matched by it; those without, in the order given (ORDER BY n): their serial
    // numbers ascend in that order.
    const byId = new Map<string, number>();
    const plain: number[] = [];
    for (const r of rows)
      if (r.proof_id === null) plain.push(Number(r.seq));
      else byId.set(keyOf(r.consent_id, r.proof_id), Number(r.seq));
    plain.sort((a, b) => a - b);
    const again = batch.filter(
      (p) => p.proof.proofId && !byId.has(keyOf(p.proof.consentId, p.proof.proofId)),
    );
    if (again.length > 0) {
      const stored = await db.query<Stored>(
        STORED,
        [again.map((p) => p.proof.consentId), again.map((p) => p.proof.proofId!)],
        { name: 'ombud_cookie_proofs_stored' },
      );
      for (const r of stored) byId.set(keyOf(r.consent_id, r.proof_id!), Number(r.seq));
    }
    let i = 0;
    return batch.map((p) => {
      const seq = p.proof.proofId ? byId.get(keyOf(p.proof.consentId, p.proof.proofId)) : plain[i++];
      if (seq === undefined) throw new Error('proof batch: a proof was neither stored nor found');
      return seq;
    });
  };

  const flush = async (batch: Pending[]) => {
    try {
      const seqs = await insert(batch);
      batch.forEach((p, i) => p.resolve(seqs[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // Nothing of a failed statement was stored: each proof is tried alone.
      for (const p of batch)
        await insert([p]).then(
          ([seq]) => p.resolve(seq!),
          (e: unknown) => p.reject(e),
        );
    }
  };

  const kick = () => {
    while (queue.length > 0 && writing < CONCURRENT_BATCHES) {
      const batch = queue.splice(0, batchMax);
      writing++;
      void flush(batch).finally(() => {
        writing--;
        kick();
      });
    }
  };

  return {
    write: (proof, at) =>
      new Promise<number>((resolve, reject) => {
        queue.push({ proof, at, resolve, reject });
        kick();
      }),
  };
}
