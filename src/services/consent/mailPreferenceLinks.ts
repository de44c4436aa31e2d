/**
 * "Lost the link?": a customer enters an e-mail address in the privacy center and, where a company of
 * the group knows that address (in the consent register, or in its own systems through the subject
 * locator), gets a mail with a fresh "Manage my communication
 * settings" link per company. The caller answers the same whether or not anything was sent, so the form
 * reveals nobody's customers; the mail goes to the address itself, so only its owner can open the links.
 * The audit log records the subject ids a link was sent for, never the address.
 */
import { identitiesFrom, normaliseEmail } from '../../core/consent/identity.ts';
import { CENTER_STRINGS } from '../../core/privacy-center/strings.ts';
import type { Language } from '../../core/register/schema.ts';
import type { App } from '../../app.ts';
import { recordAudit } from '../audit/auditLog.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { consentKeys } from './keys.ts';
import { issuePreferenceToken } from './preferenceToken.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { SubjectSystems } from '../../workers.ts';
import { locateSubject } from '../requests/locateSubject.ts';
import { preferencePurposes } from './preferences.ts';
import { findSubject, resolveSubject, type Subject } from './subjects.ts';

/** How long a link sent on request stays valid: shorter than the 90 days of links in newsletters. */
export const REQUESTED_LINK_DAYS = 7;

export type MailPreferenceLinksResult = { sent: boolean; subjects: number };

/**
 * The companies that hold the address in the group's own systems (the subject locator, read-only) but
 * not yet in the consent register: a company's customer who never gave a consent still has settings
 * (objections to its direct marketing, ad matching). Joint data counts for the arrangement's contact point.
 */
async function companiesInOwnSystems(
  app: App,
  systems: SubjectSystems | undefined,
  ix: RegisterIndex,
  email: string,
  candidates: string[],
): Promise<Set<string>> {
  const out = new Set<string>();
  if (!systems || candidates.length === 0) return out;
  const located = await locateSubject(app, systems, ix, { email, candidates });
  for (const hit of located.hits) {
    if (hit.source === 'consent' || hit.rows === 0) continue;
    const orgId =
      hit.holder.kind === 'org'
        ? hit.holder.orgId
        : ix.jointArrangements.get(hit.holder.arrangementId)?.contactPoint;
    if (orgId && candidates.includes(orgId)) out.add(orgId);
  }
  return out;
}

export async function mailPreferenceLinks(
  app: App,
  input: { email: string; lang: Language },
  systems?: SubjectSystems,
): Promise<MailPreferenceLinksResult> {
  const r = await app.registers.get();
  if (!r) return { sent: false, subjects: 0 };
  const keys = await consentKeys(app.db, app.config.secret, app.config.secretKeys);
  const now = app.now();
  const links: { company: string; url: string; subjectId: string; orgId: string }[] = [];
  const orgs = r.index.register.organizations;
  const known = new Map<string, Subject>();
  for (const org of orgs) {
    const subject = await findSubject(
      app.db,
      keys,
      org.id,
      identitiesFrom({ email: input.email }, org.country),
    );
    if (subject) known.set(org.id, subject);
  }
  // Companies with settings to show that know the address only in their own systems.
  const unknown = orgs.filter((o) => !known.has(o.id) && preferencePurposes(r.index, o.id).length > 0);
  const inSystems = await companiesInOwnSystems(
    app,
    systems,
    r.index,
    input.email,
    unknown.map((o) => o.id),
  );
  for (const org of orgs) {
    let subject = known.get(org.id);
    if (!subject && inSystems.has(org.id)) {
      // The company's customer gets a consent-register subject (the address, sealed) to hang settings on.
      const identities = identitiesFrom({ email: input.email }, org.country);
      subject = await app.db.transaction((tx) => resolveSubject(tx, keys, org.id, identities));
    }
    if (!subject) continue;
    const { token } = await issuePreferenceToken(
      keys,
      { sub: subject.id, org: org.id },
      now,
      REQUESTED_LINK_DAYS,
    );
    links.push({
      company: org.legalName,
      url: `${app.config.publicUrl}/privacy/preferences/${token}?lang=${input.lang}`,
      subjectId: subject.id,
      orgId: org.id,
    });
  }
  if (links.length === 0) return { sent: false, subjects: 0 };
  const s = CENTER_STRINGS[input.lang];
  const group = r.index.register.group.name;
  const mailId = await enqueueMail(
    app.db,
    {
      to: normaliseEmail(input.email),
      template: 'preference-link',
      lang: input.lang,
      subject: s.mailSubject(group),
      body: s.mailBody({ group, links, days: REQUESTED_LINK_DAYS }),
      // Links of one company are that company's mail; links of several are the group's.
      orgId: links.length === 1 ? links[0]!.orgId : null,
    },
    now,
  );
  for (const l of links)
    await recordAudit(app.db, {
      actor: { kind: 'data-subject', id: 'privacy-center' },
      orgId: l.orgId,
      action: 'consent.preference-link.mail',
      target: `subject:${l.subjectId}`,
      details: {
        outboxId: mailId,
        days: REQUESTED_LINK_DAYS,
        foundIn: inSystems.has(l.orgId) ? 'own-systems' : 'consent',
      },
    });
  return { sent: true, subjects: links.length };
}
