/**
 * Text PostgreSQL cannot store, refused once at the edge for every route. A NUL character (U+0000)
 * makes PostgreSQL refuse the value (SQLSTATE 22021 in text, 22P05 in jsonb); a lone UTF-16 surrogate
 * cannot be encoded as UTF-8 and would be stored silently changed (as U+FFFD). Both are a client's
 * mistake, so the request is a 400 problem+json naming each field, e.g. `body.name` or `query.actor`,
 * before the route's schema or handler sees it. Other control characters are storable and left alone.
 *
 * The check walks the parsed body (JSON, form, text, and JSON kept as text), the query, the path parameters and the headers,
 * keys included, without recursion (a deeply nested JSON body cannot exhaust the stack). It never echoes
 * the offending value: a field is named by its path, and a bad key is named by its parent's path.
 */
import type { FastifyRequest } from 'fastify';
import type { FieldIssue } from '../core/errors.ts';

/** A request whose shape is wrong before any schema is applied: a 400 naming the fields (src/http/problem.ts). */
export class InvalidInputError extends Error {
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[]) {
    // No paths in the message: keys are client input, and messages may be logged.
    super('The request contains text that cannot be stored.');
    this.name = 'InvalidInputError';
    this.issues = issues;
  }
}

const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_ISSUES = 20;
const MAX_SEGMENT = 64;

/** Why a string cannot be stored, or undefined when it can. */
export function unstorable(s: string): string | undefined {
  const m = UNSTORABLE.exec(s);
  if (!m) return undefined;
  return m[0] === '\0'
    ? 'must not contain a NUL character (U+0000)'
    : 'must be well-formed Unicode text (it contains a lone UTF-16 surrogate)';
}

const HINT = 'Remove the character from the field; PostgreSQL cannot store it.';

/** A place in the input: its key and its parent's, so a path costs nothing until an issue names it. */
type At = { key: string | number; parent?: At };
const MAX_DEPTH = 32;
const pathOf = (at: At) => {
  const path: (string | number)[] = [];
  for (let a: At | undefined = at; a; a = a.parent) path.push(a.key);
  path.reverse();
  return path.length > MAX_DEPTH ? [...path.slice(0, MAX_DEPTH), '…'] : path;
};

/** Every unstorable string (or key) in `value`, as issues with paths starting at `root`. */
export function unstorableFields(root: string, value: unknown, max = MAX_ISSUES): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: { at: At; value: unknown }[] = [{ at: { key: root }, value }];
  const seen = new Set<object>();
  while (stack.length > 0 && issues.length < max) {
    const { at, value: v } = stack.pop()!;
    if (typeof v === 'string') {
      const why = unstorable(v);
      if (why) issues.push({ path: pathOf(at), message: why, hint: HINT });
    } else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && !seen.has(v)) {
      seen.add(v);
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push({ at: { key: i, parent: at }, value: v[i] });
      } else {
        const keys = Object.keys(v);
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i]!;
          const why = unstorable(k);
          if (why) {
            // Named by its parent: the key itself is client text.
            issues.push({ path: pathOf(at), message: `has a field name that ${why}`, hint: HINT });
            if (issues.length >= max) break;
            continue;
          }
          stack.push({
            at: { key: k.length > MAX_SEGMENT ? `${k.slice(0, MAX_SEGMENT)}…` : k, parent: at },
            value: (v as Record<string, unknown>)[k],
          });
        }
      }
    }
  }
  return issues;
}

/**
 * A body a route keeps as JSON text (to check a signature over its bytes) carries NUL or a lone surrogate
 * only as a \u escape: such a body is read as JSON here as well, to be walked like a parsed one.
 */
function bodyOf(req: FastifyRequest): unknown {
  const body = req.body;
  if (typeof body !== 'string' || !/\\u/i.test(body) || !/json/i.test(String(req.headers['content-type'])))
    return body;
  try {
    return JSON.parse(body);
  } catch {
    return body; // not JSON: the route says so
  }
}

/** A character that may make a string unstorable (NUL or any surrogate): the cheap test before the exact one. */
const SUSPECT = /[\0\uD800-\uDFFF]/;

/**
 * Whether any string or key in `value` holds a NUL or a surrogate: the common answer, no, found without
 * building paths (most requests carry neither, and this runs on every one of them).
 */
function anySuspect(value: unknown): boolean {
  const stack: unknown[] = [value];
  let visited = 0;
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (SUSPECT.test(v)) return true;
    } else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
      // A cycle or a huge input: let the exact walk (which tracks what it has seen) decide.
      if (++visited > 10_000) return true;
      if (Array.isArray(v)) for (const x of v) stack.push(x);
      else
        for (const k in v) {
          if (SUSPECT.test(k)) return true;
          stack.push((v as Record<string, unknown>)[k]);
        }
    }
  }
  return false;
}

/** The request's input with text PostgreSQL cannot store, as issues; empty when all is storable. */
export function unstorableInput(req: FastifyRequest): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (
    !anySuspect(req.params) &&
    !anySuspect(req.query) &&
    !anySuspect(req.headers) &&
    !anySuspect(bodyOf(req))
  )
    return issues;
  for (const [root, value] of [
    ['params', req.params],
    ['query', req.query],
    ['headers', req.headers],
    ['body', bodyOf(req)],
  ] as const) {
    if (issues.length >= MAX_ISSUES) break;
    issues.push(...unstorableFields(root, value, MAX_ISSUES - issues.length));
  }
  return issues;
}

/** For the preValidation hook: refuses the request with a 400 naming each field that cannot be stored. */
export function rejectUnstorableInput(req: FastifyRequest): void {
  const issues = unstorableInput(req);
  if (issues.length > 0) throw new InvalidInputError(issues);
}
