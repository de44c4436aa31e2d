/**
 * Which controllers a request goes to. A request to one company goes to it; a request naming a purpose run
 * jointly (Art. 26) goes once, to the arrangement's contact point. A request to the whole group is held at
 * the group's contact point until the requester is verified; then it goes to the controllers that know the
 * customer (found by the subject locator) and a joint arrangement that holds their data is handled once,
 * by its contact point. Pure: no I/O.
 */
import type { Holder } from '../fulfilment/controllers.ts';
import { precondition, validationError } from '../errors.ts';
import type { RegisterIndex } from '../register/register-index.ts';

export type Target = { orgId: string; jointArrangements: string[]; jointHandledBy?: string };

/**
 * The joint part of a new request's scope: the arrangements it handles and, where another company's
 * request handles them, that request's id (`requestIds` maps each target company to its new request).
 */
export const jointScope = (target: Target, requestIds: ReadonlyMap<string, string>) => ({
  jointArrangements: target.jointArrangements,
  jointHandledBy: target.jointHandledBy ? requestIds.get(target.jointHandledBy) : undefined,
});

export type Intake =
  /** Requests are created at once, one per target. */
  | { mode: 'direct'; targets: Target[] }
  /** One request at `umbrellaOrg`; after verification, one per candidate that knows the customer. */
  | { mode: 'locate'; umbrellaOrg: string; candidates: string[] };

const unknownCompany = (scope: string) =>
  validationError('unknown-company', `There is no company '${scope}' in the group.`, [
    {
      path: ['company'],
      message: 'unknown company',
      hint: "Choose a company of the group, or 'group' for all.",
    },
  ]);

/** Where a submission goes on receipt (validates the company and the purpose). */
export function intakeFor(ix: RegisterIndex, scope: string, purposeId?: string): Intake {
  const all = ix.register.organizations.map((o) => o.id);
  const orgs = scope === 'group' ? all : ix.organization(scope) ? [scope] : undefined;
  if (!orgs) throw unknownCompany(scope);
  let candidates = orgs;
  if (purposeId) {
    const p = ix.purposes.get(purposeId);
    if (!p)
      throw validationError('unknown-purpose', `There is no purpose '${purposeId}'.`, [
        {
          path: ['purposeId'],
          message: 'unknown purpose',
          hint: 'Give a purpose id from the register, or leave it out.',
        },
      ]);
    const joint = ix.jointArrangementFor(purposeId);
    // A joint purpose is handled once: by the contact point when the group is asked, else by the company asked.
    if (joint && scope === 'group')
      return { mode: 'direct', targets: [{ orgId: joint.contactPoint, jointArrangements: [joint.id] }] };
    candidates = orgs.filter((o) => p.controllers.includes(o) || joint?.controllers.includes(o));
    if (candidates.length === 0)
      throw validationError(
        'purpose-not-of-company',
        `'${scope}' is not a controller of purpose '${purposeId}'.`,
        [
          {
            path: ['purposeId'],
            message: 'not a purpose of the chosen company',
            hint: 'Choose the company that runs this purpose.',
          },
        ],
      );
    if (scope !== 'group' || candidates.length === 1)
      return {
        mode: 'direct',
        targets: candidates.map((orgId) => ({ orgId, jointArrangements: joint ? [joint.id] : [] })),
      };
  }
  if (candidates.length === 1) return { mode: 'direct', targets: targetsFor(ix, candidates) };
  return { mode: 'locate', umbrellaOrg: groupContactPoint(ix, candidates), candidates };
}

/**
 * Where a group request waits for verification: the contact point of the joint arrangement covering most
 * of the candidates, else the parent company among them, else the first.
 */
export function groupContactPoint(ix: RegisterIndex, candidates: string[]): string {
  const arrangements = ix.register.jointArrangements
    .filter((j) => candidates.includes(j.contactPoint))
    .map((j) => ({ j, n: j.controllers.filter((c) => candidates.includes(c)).length }))
    .sort((a, b) => b.n - a.n);
  if (arrangements[0]) return arrangements[0].j.contactPoint;
  const parent = candidates.find(
    (c) => !ix.organization(c)?.parent && candidates.some((o) => o !== c && ix.organization(o)?.parent === c),
  );
  return parent ?? candidates[0]!;
}

/**
 * One target per organization (in register order). Each joint arrangement touching them is handled once:
 * by its contact point when that is among them, else by the first of them that is one of its controllers;
 * the others point at that request (`jointHandledBy`). With a (non-joint) purpose, only that purpose.
 */
export function targetsFor(ix: RegisterIndex, orgIds: string[], purposeId?: string): Target[] {
  const orgs = ix.register.organizations.map((o) => o.id).filter((o) => orgIds.includes(o));
  if (purposeId) return orgs.map((orgId) => ({ orgId, jointArrangements: [] }));
  if (orgs.length === 1)
    return [{ orgId: orgs[0]!, jointArrangements: ix.jointArrangementsOf(orgs[0]!).map((j) => j.id) }];
  const handler = (j: { contactPoint: string; controllers: string[] }) =>
    orgs.includes(j.contactPoint) ? j.contactPoint : orgs.find((o) => j.controllers.includes(o));
  return orgs.map((orgId) => {
    const joint = ix.jointArrangementsOf(orgId);
    const elsewhere = joint.filter((j) => handler(j) !== orgId);
    return {
      orgId,
      jointArrangements: joint.filter((j) => handler(j) === orgId).map((j) => j.id),
      jointHandledBy: elsewhere[0] ? handler(elsewhere[0]) : undefined,
    };
  });
}

export type Routing = {
  targets: Target[];
  /** Candidates that know the customer themselves. */
  known: string[];
  /** Contact points asked because a joint arrangement holds the customer's data (not known themselves). */
  viaJoint: string[];
  /** Candidates checked that do not know the customer. */
  notKnown: string[];
};

/** The requests a verified group request becomes, given where the locator found the customer. */
export function routeKnown(
  ix: RegisterIndex,
  candidates: string[],
  holders: Holder[],
  purposeId?: string,
): Routing {
  const known = new Set<string>();
  const viaJoint = new Set<string>();
  for (const h of holders) {
    if (h.kind === 'org') {
      if (candidates.includes(h.orgId)) known.add(h.orgId);
      continue;
    }
    const j = ix.jointArrangements.get(h.arrangementId);
    if (!j) continue;
    const by = candidates.includes(j.contactPoint)
      ? j.contactPoint
      : ix.register.organizations
          .map((o) => o.id)
          .find((o) => candidates.includes(o) && j.controllers.includes(o));
    if (by) viaJoint.add(by);
  }
  const orgs = [...new Set([...known, ...viaJoint])];
  const targets = orgs.length ? targetsFor(ix, orgs, purposeId) : [];
  const order = (xs: Iterable<string>) =>
    ix.register.organizations.map((o) => o.id).filter((o) => [...xs].includes(o));
  return {
    targets,
    known: order(known),
    viaJoint: order([...viaJoint].filter((o) => !known.has(o))),
    notKnown: candidates.filter((c) => !orgs.includes(c)),
  };
}

/** The group's own systems that hold data of the candidates' purposes (or of the one purpose named). */
export function ownSystemsOf(ix: RegisterIndex, candidates: string[], purposeId?: string): string[] {
  const purposes = purposeId
    ? [ix.purposes.get(purposeId)].filter((p) => p !== undefined)
    : ix.register.purposes.filter((p) => p.controllers.some((c) => candidates.includes(c)));
  return [...new Set(purposes.flatMap((p) => p.systems))].sort();
}

/**
 * Whether "we hold no personal data about you" may be answered without a person: only when every own
 * system of the candidates' purposes and the consent register were searched without an error. Otherwise
 * an agent checks what the locator could not (a system without a connection, a failed search) and
 * answers, or sends the request to the company that knows the customer.
 */
export function noDataIsCertain(coverage: { unchecked: string[]; failed: string[] }): boolean {
  return coverage.unchecked.length === 0 && coverage.failed.length === 0;
}

/** A step that belongs to the companies' requests, tried on the group request itself. */
export const groupNotRouted = () =>
  precondition(
    'group-request-not-routed',
    'This is a request to the whole group: it is carried out by the request of each company that knows the customer.',
    'Verify the requester first (it is then sent to the companies that know them), or, if it is known nowhere, answer that we hold no personal data or send it to a company by hand.',
  );
