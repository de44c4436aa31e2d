/**
 * A tagged SQL template that counts its own parameters:
 *
 *   const q = sql`SELECT * FROM ${sql.id('dsr_requests')} WHERE org_id = ${orgId} AND ${cond}`;
 *   q.render(dialect) // { text: 'SELECT * FROM "dsr_requests" WHERE org_id = $1 AND …', params: [orgId, …] }
 *
 * A value in `${…}` is a parameter, a `Sql` fragment is inlined (with its own parameters, where it stands),
 * `sql.id(name)` is a quoted identifier and `sql.raw(text)` trusted SQL text (keywords, a constant table
 * name). Placeholders are written only when the whole statement is rendered, for one dialect (`$n` or `?`),
 * so they are numbered in text order whatever order the fragments were built in.
 */

/** What rendering needs of a dialect: its placeholders and its quoting of names. */
export interface SqlRenderer {
  /** The placeholder for the n-th parameter (1-based). */
  param(n: number): string;
  /** Quote a table or column name. */
  quote(name: string): string;
}

class Identifier {
  constructor(readonly name: string) {}
}

type Part = string | Sql | Identifier | { value: unknown };

export class Sql {
  /** @internal */
  constructor(readonly parts: readonly Part[]) {}

  /**
   * The text and its parameters. `params` continues an existing list (a statement partly written by hand
   * elsewhere): the placeholders are numbered after what it holds, and the values are appended to it.
   */
  render(d: SqlRenderer = pgRenderer, params: unknown[] = []): { text: string; params: unknown[] } {
    let text = '';
    const walk = (q: Sql) => {
      for (const p of q.parts) {
        if (typeof p === 'string') text += p;
        else if (p instanceof Sql) walk(p);
        else if (p instanceof Identifier) text += d.quote(p.name);
        else {
          params.push(p.value);
          text += d.param(params.length);
        }
      }
    };
    walk(this);
    return { text, params };
  }

  /** True when the fragment holds no text at all (sql.empty, an empty join). */
  get isEmpty(): boolean {
    return this.parts.every((p) => (typeof p === 'string' ? p === '' : p instanceof Sql && p.isEmpty));
  }
}

function tag(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  const parts: Part[] = [];
  strings.forEach((s, i) => {
    if (s) parts.push(s);
    if (i < values.length) {
      const v = values[i];
      parts.push(v instanceof Sql || v instanceof Identifier ? v : { value: v });
    }
  });
  return new Sql(parts);
}

export const sql = Object.assign(tag, {
  /** A quoted identifier (table, column, alias). */
  id: (name: string): Sql => new Sql([new Identifier(name)]),
  /** Trusted SQL text, inlined as is: never a value from outside. */
  raw: (text: string): Sql => new Sql([text]),
  /** One parameter (where a template is not handy). */
  value: (v: unknown): Sql => new Sql([{ value: v }]),
  /** The fragments joined by a separator (', ' unless given). */
  join: (items: readonly Sql[], sep: string | Sql = ', '): Sql => {
    const parts: Part[] = [];
    items.forEach((q, i) => {
      if (i) parts.push(sep);
      parts.push(q);
    });
    return new Sql(parts);
  },
  empty: new Sql([]),
});

/** PostgreSQL and PGlite (Ombud's own database): `$1`, `"name"`. */
export const pgRenderer: SqlRenderer = {
  param: (n) => `$${n}`,
  quote: (name) => `"${name.replace(/"/g, '""')}"`,
};

/**
 * Append a fragment's parameters to `params` and return its text with placeholders numbered after them
 * (for statements whose other parts are written with `$n` by hand, e.g. the audit log's common tail).
 */
export function bindInto(params: unknown[], q: Sql, d: SqlRenderer = pgRenderer): string {
  return q.render(d, params).text;
}
