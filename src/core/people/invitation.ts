/**
 * The invitation mail in the invitee's language (en, sv, nb, chosen on the invite form): who invites them,
 * the role and company in words, and the link that sets their password (valid RESET_HOURS). Pure: the
 * service enqueues it in the outbox.
 */
import type { Role } from '../policies/permissions.ts';

export const INVITE_LANGS = ['en', 'sv', 'nb'] as const;
export type InviteLang = (typeof INVITE_LANGS)[number];

const ROLE_WORDS: Record<InviteLang, Record<Role, string>> = {
  en: {
    dpo: 'owner / data protection officer',
    'privacy-agent': 'privacy agent',
    'cs-agent': 'customer-service agent',
    engineer: 'engineer (connectors and keys)',
    auditor: 'auditor (read-only)',
  },
  sv: {
    dpo: 'ägare / dataskyddsombud',
    'privacy-agent': 'integritetshandläggare',
    'cs-agent': 'kundtjänstmedarbetare',
    engineer: 'tekniker (kopplingar och nycklar)',
    auditor: 'granskare (endast läsning)',
  },
  nb: {
    dpo: 'eier / personvernombud',
    'privacy-agent': 'personvernsaksbehandler',
    'cs-agent': 'kundeservicemedarbeider',
    engineer: 'tekniker (koblinger og nøkler)',
    auditor: 'revisor (kun lesetilgang)',
  },
};

export function invitationMail(
  lang: InviteLang,
  v: { name: string; role: Role; company: string; url: string; hours: number },
): { subject: string; body: string } {
  const role = ROLE_WORDS[lang][v.role];
  if (lang === 'sv')
    return {
      subject: `Du är inbjuden till Ombud hos ${v.company}`,
      body: `Hej${v.name ? ` ${v.name}` : ''}!\n\nDu har bjudits in till Ombud som ${role} hos ${v.company}.\n\nVälj ditt lösenord inom ${v.hours} timmar via länken:\n${v.url}\n\nLänken fungerar en gång. Om du inte väntade dig den här inbjudan kan du bortse från mejlet.\n`,
    };
  if (lang === 'nb')
    return {
      subject: `Du er invitert til Ombud hos ${v.company}`,
      body: `Hei${v.name ? ` ${v.name}` : ''}!\n\nDu er invitert til Ombud som ${role} hos ${v.company}.\n\nVelg passordet ditt innen ${v.hours} timer via lenken:\n${v.url}\n\nLenken virker én gang. Hvis du ikke ventet denne invitasjonen, kan du se bort fra e-posten.\n`,
    };
  return {
    subject: `You are invited to Ombud at ${v.company}`,
    body: `Hello${v.name ? ` ${v.name}` : ''},\n\nYou have been invited to Ombud as ${role} at ${v.company}.\n\nChoose your password within ${v.hours} hours through this link:\n${v.url}\n\nThe link works once. If you did not expect this invitation, you can ignore this mail.\n`,
  };
}
