/**
 * Masking strategies, one registered class each. Unlike a strategy that transforms one value at a time
 * (and so forces an UPDATE per row), each strategy here yields a SQL expression for a whole column, so an
 * erasure is one UPDATE (or DELETE) per collection over the set of keys found. The keyed-hash pseudonym is
 * computed once per subject and field (HMAC-SHA256 under a secret key), so the same customer gets the same
 * pseudonym in every row and system, and nobody without the key can link it back.
 */
import { createHmac } from 'node:crypto';
import { type Sql, sql } from '../../storage/sql.ts';

export type MaskingContext = {
  /** A stable key for the data subject (never personal data in clear: it is only fed to the HMAC). */
  subjectKey: string;
  /** The secret HMAC key. */
  secret: string;
  /** "dataset.collection.field". */
  path: string;
};

export interface MaskingStrategy {
  readonly id: string;
  /** The SQL expression the column is set to (a `sql` fragment with its parameters). */
  assignment(ctx: MaskingContext): Sql;
}

export class NullMasking implements MaskingStrategy {
  readonly id = 'null';
  assignment(): Sql {
    return sql`NULL`;
  }
}

export class FixedValueMasking implements MaskingStrategy {
  readonly id = 'fixed';
  constructor(private readonly value: string | number) {}
  assignment(): Sql {
    return sql`${this.value}`;
  }
}

export class KeyedHashPseudonym implements MaskingStrategy {
  readonly id = 'pseudonym';
  static value(ctx: MaskingContext): string {
    const mac = createHmac('sha256', ctx.secret).update(`${ctx.subjectKey}\u0000${ctx.path}`).digest('hex');
    return `p_${mac.slice(0, 16)}`;
  }
  assignment(ctx: MaskingContext): Sql {
    return sql`${KeyedHashPseudonym.value(ctx)}`;
  }
}

/** Deleting the row is a strategy of the collection (ombud.erase: delete), not of a column. */
export class DeleteRow {
  readonly id = 'delete';
}

type Factory = (opts: { value?: string | number }) => MaskingStrategy;
const REGISTRY = new Map<string, Factory>([
  ['null', () => new NullMasking()],
  ['fixed', (o) => new FixedValueMasking(o.value ?? '')],
  ['pseudonym', () => new KeyedHashPseudonym()],
]);

export function registerMaskingStrategy(id: string, factory: Factory): void {
  REGISTRY.set(id, factory);
}

export function maskingStrategy(id: string, opts: { value?: string | number } = {}): MaskingStrategy {
  const f = REGISTRY.get(id);
  if (!f) throw new Error(`Unknown masking strategy '${id}'`);
  return f(opts);
}
