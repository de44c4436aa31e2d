/**
 * Legal holds (notice promises P14, P46): data kept past its rules only because an authority decided it,
 * a dispute or legal claim needs it, or a named legal rule of the register requires it, and only as long as
 * the hold stands. Pure: the input's shape, the checks against the register and the datasets, the marker a
 * hold writes, and the review arithmetic on a given day (the app's clock gives the day).
 */
import { z } from 'zod';
import { type FieldIssue, validationError } from '../errors.ts';
import { addDays, type IsoDate } from '../deadlines/iso-date.ts';
import { possibleHolders } from '../fulfilment/controllers.ts';
import { type Graph, nodeId } from '../fulfilment/dataset.ts';
import type { RegisterIndex } from '../register/register-index.ts';

export const HOLD_REASON_KINDS = ['authority-decision', 'dispute', 'legal-rule'] as const;
export type HoldReasonKind = (typeof HOLD_REASON_KINDS)[number];
export const HOLD_SCOPE_KINDS = ['subject', 'system', 'collection'] as const;
export type HoldScopeKind = (typeof HOLD_SCOPE_KINDS)[number];

export const HOLD_REASON_LABELS: Record<HoldReasonKind, string> = {
  'authority-decision': "An authority's or a court's decision",
  dispute: 'A dispute or legal claim',
  'legal-rule': 'A legal rule of the register',
};

/** The rule id a hold's markers carry in ombud_restrictions (the register's rule for disputes and decisions). */
export const HOLD_MARKER_RULE = 'legal-hold';
/** The request_id of a hold's markers: 'hold:<id>'. */
export const holdMarkerId = (holdId: string) => `hold:${holdId}`;
/** The hold id of a marker's request_id, or undefined for any other marker. */
export const holdOfMarker = (requestId: string): string | undefined =>
  requestId.startsWith('hold:') ? requestId.slice(5) : undefined;

/** Days before its review date a hold shows as "due soon" in the digest and on the console. */
export const REVIEW_SOON_DAYS = 7;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day written YYYY-MM-DD');
const id = z.string().trim().min(1).max(100);

export const holdScopeInput = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('subject'),
    email: z.string().trim().toLowerCase().email('an e-mail address').max(320).optional(),
    customerNumber: z.string().trim().min(1).max(100).optional(),
  }),
  z.strictObject({ kind: z.literal('system'), system: id }),
  z.strictObject({ kind: z.literal('collection'), dataset: id, collection: id }),
]);
export type HoldScopeInput = z.infer<typeof holdScopeInput>;

/** What placing a hold takes (the API's body, the CLI's options and the console's form all become this). */
export const placeHoldInput = z.strictObject({
  reasonKind: z.enum(HOLD_REASON_KINDS),
  ruleId: id.optional().describe("With reasonKind 'legal-rule': the id of a legal rule of the register."),
  reason: z
    .string()
    .trim()
    .min(1, 'say why the data must be kept')
    .max(2000)
    .describe(
      "The authority's decision, the dispute or the rule, in a sentence (a case number, not a name).",
    ),
  scope: holdScopeInput,
  reviewOn: day.describe('The day someone checks whether the hold is still needed (after today).'),
});
export type PlaceHoldInput = z.infer<typeof placeHoldInput>;

/** A hold as given by a form or the command line, checked against its schema: a wrong field is named by its path. */
export function checkedHoldInput(given: unknown): PlaceHoldInput {
  const parsed = placeHoldInput.safeParse(given);
  if (!parsed.success)
    throw validationError(
      'invalid-hold',
      'The hold cannot be placed as given.',
      parsed.error.issues.map((i) => ({
        path: i.path.map((k) => (typeof k === 'symbol' ? String(k) : k)),
        message: i.message,
      })),
    );
  return parsed.data;
}

export const liftHoldInput = z.strictObject({
  reason: z.string().trim().min(1, 'say why the hold ends').max(2000),
});

/** What the checks need to know of the register and the datasets. */
export type HoldContext = {
  today: IsoDate;
  /** The register's legal rules (kind: legal), by id. */
  legalRules: ReadonlySet<string>;
  /** The systems of the connected datasets. */
  systems: ReadonlySet<string>;
  /** dataset key → its collections. */
  collections: ReadonlyMap<string, ReadonlySet<string>>;
};

/** Everything wrong with a hold's input beyond its shape, each at its field's path. */
export function checkHold(input: PlaceHoldInput, ctx: HoldContext): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (input.reasonKind === 'legal-rule') {
    if (!input.ruleId)
      issues.push({
        path: ['ruleId'],
        message: 'a hold under a legal rule names the rule',
        hint: `One of: ${[...ctx.legalRules].sort().join(', ')}.`,
      });
    else if (!ctx.legalRules.has(input.ruleId))
      issues.push({
        path: ['ruleId'],
        message: `'${input.ruleId}' is not a legal rule of the register`,
        hint: `One of: ${[...ctx.legalRules].sort().join(', ')}.`,
      });
  } else if (input.ruleId)
    issues.push({
      path: ['ruleId'],
      message: "only a hold of reasonKind 'legal-rule' names a rule",
    });
  const s = input.scope;
  if (s.kind === 'subject' && !s.email && !s.customerNumber)
    issues.push({
      path: ['scope', 'email'],
      message: 'a hold on a data subject names them by e-mail address or customer number',
    });
  if (s.kind === 'system' && !ctx.systems.has(s.system))
    issues.push({
      path: ['scope', 'system'],
      message: 'not a system of the connected datasets',
      hint: `One of: ${[...ctx.systems].sort().join(', ')}.`,
    });
  if (s.kind === 'collection') {
    const cols = ctx.collections.get(s.dataset);
    if (!cols)
      issues.push({
        path: ['scope', 'dataset'],
        message: 'not a connected dataset',
        hint: `One of: ${[...ctx.collections.keys()].sort().join(', ')}.`,
      });
    else if (!cols.has(s.collection))
      issues.push({
        path: ['scope', 'collection'],
        message: `not a collection of ${s.dataset}`,
        hint: `One of: ${[...cols].sort().join(', ')}.`,
      });
  }
  if (input.reviewOn <= ctx.today)
    issues.push({
      path: ['reviewOn'],
      message: `the review day must be after today (${ctx.today})`,
      hint: `E.g. ${addDays(ctx.today, 90)}.`,
    });
  return issues;
}

export type HoldReview = 'lifted' | 'overdue' | 'due-today' | 'due-soon' | 'later';

/** Where a hold stands on its review on a day. */
export function reviewState(h: { reviewOn: IsoDate; liftedAt: unknown }, today: IsoDate): HoldReview {
  if (h.liftedAt) return 'lifted';
  if (h.reviewOn < today) return 'overdue';
  if (h.reviewOn === today) return 'due-today';
  if (h.reviewOn <= addDays(today, REVIEW_SOON_DAYS)) return 'due-soon';
  return 'later';
}

/** A standing hold whose review day has come (or is within REVIEW_SOON_DAYS), for the digest. */
export const reviewDue = (h: { reviewOn: IsoDate; liftedAt: unknown }, today: IsoDate) =>
  ['overdue', 'due-today', 'due-soon'].includes(reviewState(h, today));

/** A scope in words without personal data: the subject only as "a data subject". */
export function describeScope(s: {
  kind: HoldScopeKind;
  system?: string | null;
  dataset?: string | null;
  collection?: string | null;
}): string {
  if (s.kind === 'subject') return 'a data subject, in every system';
  if (s.kind === 'system') return `system ${s.system}`;
  return `${s.dataset}.${s.collection}`;
}

/**
 * Whose rows a company's hold on a data subject marks: the company's own, and those of the joint
 * arrangements it is the contact point of (as for its requests). Holder keys as scopeLocated takes them.
 */
export const holdHolderKeys = (ix: RegisterIndex, orgId: string): string[] => [
  orgId,
  ...ix.register.jointArrangements.filter((j) => j.contactPoint === orgId).map((j) => `joint:${j.id}`),
];

/**
 * The companies a hold speaks for, each of whose holds:write placing it needs. A hold on a data subject
 * marks only the placing company's rows: that company. A hold on a system or a collection marks every row
 * there, so it speaks for every company whose rows the system or collection may hold (possibleHolders),
 * and the placing company.
 */
export function holdCompanies(
  ix: RegisterIndex,
  graph: Graph,
  orgId: string,
  scope: HoldScopeInput,
): string[] {
  if (scope.kind === 'subject') return [orgId];
  const out = new Set([orgId]);
  for (const [id, n] of graph.nodes) {
    if (scope.kind === 'system' && n.dataset.ombud.system !== scope.system) continue;
    if (scope.kind === 'collection' && id !== nodeId(scope.dataset, scope.collection)) continue;
    for (const o of possibleHolders(ix, graph, id)) out.add(o);
  }
  return [orgId, ...[...out].filter((o) => o !== orgId).sort()];
}
