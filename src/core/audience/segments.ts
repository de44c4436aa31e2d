/**
 * Audience segments (issue #14, P44), pure: the register's checks of a segment, who is left out of it and
 * why, and the delta between two exports. The segment's members are the selection of the annotated datasets
 * (src/services/audience/buildSegment.ts) minus everyone the consent rules refuse for its purpose.
 */
import type { RegisterIndex } from '../register/register-index.ts';
import type { Register } from '../register/schema.ts';

export type AudienceFinding = {
  code: string;
  target: string;
  path: (string | number)[];
  message: string;
  hint: string;
};

/** The networks each rule uploads to, by the recipient system's operator (a Google rule to Meta is refused). */
const OPERATOR_OF_RULE: Record<string, RegExp> = {
  'google-ads': /google/i,
  'google-data-manager': /google/i,
  meta: /meta|facebook/i,
};

/** The data categories a purpose must process for a segment to send a field (hashed or not). */
const FIELD_CATEGORY: Record<string, string> = {
  email: 'user.contact.email',
  phone: 'user.contact.phone_number',
};

export function checkAudiences(register: Register, ix: RegisterIndex): AudienceFinding[] {
  const out: AudienceFinding[] = [];
  const seen = new Set<string>();
  (register.audiences ?? []).forEach((a, i) => {
    const target = `audience:${a.id}`;
    const at = (...rest: (string | number)[]) => ['audiences', i, ...rest];
    const add = (code: string, path: (string | number)[], message: string, hint: string) =>
      out.push({ code, target, path, message, hint });
    if (seen.has(a.id))
      add(
        'duplicate-id',
        at('id'),
        `The id '${a.id}' is used twice in audiences.`,
        'Give each segment its own id.',
      );
    seen.add(a.id);
    const p = ix.purposes.get(a.purpose);
    if (!p) {
      add(
        'unresolved-reference',
        at('purpose'),
        `Unknown purpose '${a.purpose}'.`,
        `Use one of: ${[...ix.purposes.keys()].join(', ')}.`,
      );
      return;
    }
    if (!p.controllers.includes(a.controller))
      add(
        'audience-controller-mismatch',
        at('controller'),
        `'${a.controller}' is not a controller of the purpose '${p.id}'.`,
        `Use one of: ${p.controllers.join(', ')}, or add the company to the purpose's controllers.`,
      );
    const bases = [...new Set(p.data.map((d) => d.legalBasis))];
    if (!bases.includes(a.legalBasis))
      add(
        'audience-basis-mismatch',
        at('legalBasis'),
        `The purpose '${p.id}' does not rest on ${a.legalBasis}.`,
        `Use the purpose's basis: ${bases.join(', ')}.`,
      );
    if (!p.recipients.includes(a.recipient))
      add(
        'audience-recipient-mismatch',
        at('recipient'),
        `'${a.recipient}' is not a recipient of the purpose '${p.id}': the notice does not name it.`,
        `Use one of: ${p.recipients.join(', ') || '(none)'}, or add it to the purpose's recipients.`,
      );
    else {
      const sys = ix.systems.get(a.recipient);
      if (sys && !OPERATOR_OF_RULE[a.rule]!.test(`${sys.operator} ${sys.name}`))
        add(
          'audience-rule-mismatch',
          at('rule'),
          `The rule '${a.rule}' is not the network of '${a.recipient}' (${sys.operator}).`,
          "Use the recipient's own network's rule.",
        );
    }
    const cats = p.data.flatMap((d) => d.categories);
    a.fields.forEach((f, k) => {
      if (!cats.some((c) => c.startsWith(FIELD_CATEGORY[f]!)))
        add(
          'audience-field-not-in-purpose',
          at('fields', k),
          `The purpose '${p.id}' does not process ${f} (no ${FIELD_CATEGORY[f]} category).`,
          `Send only: ${
            Object.keys(FIELD_CATEGORY)
              .filter((x) => cats.some((c) => c.startsWith(FIELD_CATEGORY[x]!)))
              .join(', ') || '(nothing)'
          }.`,
        );
    });
    if (a.accountHoldersOnly && !a.selection.accountHolders)
      add(
        'audience-account-holders',
        at('accountHoldersOnly'),
        'The segment is for account holders only but its selection names no accounts collection.',
        'Add selection.accountHolders (e.g. accounts).',
      );
  });
  return out;
}

/** The delta of a segment: the hashes to add and to remove since the previous export (both sorted). */
export function delta(
  previous: readonly string[],
  current: readonly string[],
): { add: string[]; remove: string[] } {
  const before = new Set(previous);
  const now = new Set(current);
  return {
    add: current.filter((h) => !before.has(h)).sort(),
    remove: previous.filter((h) => !now.has(h)).sort(),
  };
}
