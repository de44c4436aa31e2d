/**
 * Typed domain errors. The core and the services throw these; the HTTP edge maps
 * them to RFC 9457 problem documents once (src/http/problem.ts) and the CLI prints
 * them with a non-zero exit. Messages never carry personal data: ids and hashes only.
 */
export type FieldIssue = {
  /** Path of the offending field, e.g. ['purposes', 2, 'legalBasis'] or 'body.email'. */
  path: (string | number)[];
  message: string;
  /** How to fix it, said to a person. */
  hint?: string;
};

export type ErrorKind =
  | 'validation'
  | 'not-found'
  | 'conflict'
  | 'unauthenticated'
  | 'forbidden'
  | 'rate-limited'
  | 'precondition'
  | 'gone';

export class OmbudError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly issues: FieldIssue[];
  readonly hint?: string;

  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    opts: { issues?: FieldIssue[]; hint?: string } = {},
  ) {
    super(message);
    this.name = 'OmbudError';
    this.kind = kind;
    this.code = code;
    this.issues = opts.issues ?? [];
    this.hint = opts.hint;
  }
}

export const validationError = (code: string, message: string, issues: FieldIssue[] = [], hint?: string) =>
  new OmbudError('validation', code, message, { issues, hint });
export const notFound = (what: string, id: string) =>
  new OmbudError('not-found', `${what}-not-found`, `No ${what} with id '${id}'.`);
export const conflict = (code: string, message: string, hint?: string) =>
  new OmbudError('conflict', code, message, { hint });
export const forbidden = (message = 'You do not have permission to do this.') =>
  new OmbudError('forbidden', 'forbidden', message);
export const unauthenticated = (message = 'Sign in or send an API key.') =>
  new OmbudError('unauthenticated', 'unauthenticated', message);
export const precondition = (code: string, message: string, hint?: string) =>
  new OmbudError('precondition', code, message, { hint });
