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

/** The current register as an index, cached per revision: one query per call, one parse per revision. */
export class RegisterCache {
  private cached?: { revision: number; stored: StoredRegister; index: RegisterIndex };
  constructor(private readonly db: Db) {}

  async get(): Promise<{ stored: StoredRegister; index: RegisterIndex } | undefined> {
    const head = await this.db.query<{ id: number }>('SELECT max(id) AS id FROM register_revisions');
    const id = head[0]?.id;
    if (!id) return undefined;
    if (this.cached?.revision !== id) {
      const stored = (await registerRevision(this.db, id))!;
      this.cached = { revision: id, stored, index: new RegisterIndex(stored.register) };
    }
    return { stored: this.cached.stored, index: this.cached.index };
  }
}
