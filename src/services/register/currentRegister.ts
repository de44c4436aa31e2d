import { RegisterIndex } from '../../core/register/register-index.ts';
import type { Register } from '../../core/register/schema.ts';
import type { Db } from '../../storage/db.ts';

export type StoredRegister = {
  revision: number;
  contentHash: string;
  register: Register;
  appliedAt: Date;
  appliedBy: string;
};

type Row = { id: number; content_hash: string; register: Register; applied_at: Date; applied_by: string };
const toStored = (r: Row): StoredRegister => ({
  revision: r.id,
  contentHash: r.content_hash,
  register: r.register,
  appliedAt: r.applied_at,
  appliedBy: r.applied_by,
});

export async function currentRegister(db: Db): Promise<StoredRegister | undefined> {
  const rows = await db.query<Row>('SELECT * FROM register_revisions ORDER BY id DESC LIMIT 1');
  return rows[0] ? toStored(rows[0]) : undefined;
}

export async function registerRevision(db: Db, id: number): Promise<StoredRegister | undefined> {
  const rows = await db.query<Row>('SELECT * FROM register_revisions WHERE id = $1', [id]);
  return rows[0] ? toStored(rows[0]) : undefined;
}

export async function listRevisions(db: Db) {
  return db.query<{ id: number; content_hash: string; applied_at: Date; applied_by: string }>(
    'SELECT id, content_hash, applied_at, applied_by FROM register_revisions ORDER BY id DESC',
  );
}

let registerGeneration = 0;
/** Called when a revision is stored in this process: every cache re-reads the head at once. */
export function registerApplied(): void {
  registerGeneration++;
}

/**
 * The current register as an index, cached per revision: one parse per revision. Which revision
 * is current is itself trusted for `ttlMs` (OMBUD_REGISTER_CACHE_TTL_MS, default 1 s) so a busy
 * lookup path does not ask on every call; a revision applied in this process is seen at once, one
 * applied by another process within the TTL. With ttlMs 0 the head is read on every call.
 */
export class RegisterCache {
  private cached?: { revision: number; stored: StoredRegister; index: RegisterIndex };
  private checked?: { at: number; generation: number };
  constructor(
    private readonly db: Db,
    private readonly ttlMs = 0,
  ) {}

  async get(): Promise<{ stored: StoredRegister; index: RegisterIndex } | undefined> {
    if (
      this.cached &&
      this.checked &&
      this.checked.generation === registerGeneration &&
      performance.now() - this.checked.at < this.ttlMs
    )
      return { stored: this.cached.stored, index: this.cached.index };
    const checked = { at: performance.now(), generation: registerGeneration };
    const head = await this.db.query<{ id: number }>('SELECT max(id) AS id FROM register_revisions');
    const id = head[0]?.id;
    if (!id) return undefined;
    this.checked = checked;
    if (this.cached?.revision !== id) {
      const stored = (await registerRevision(this.db, id))!;
      this.cached = { revision: id, stored, index: new RegisterIndex(stored.register) };
    }
    return { stored: this.cached.stored, index: this.cached.index };
  }
}
