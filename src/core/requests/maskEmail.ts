/**
 * An e-mail address masked for a work list (the fulfilment tasks): enough for a person to tell two
 * customers apart at a glance and match a ticket, never the address. The first letter of the local part
 * and of the domain, and the top-level domain: `anna.svensson@example.org` → `a•••@e•••.org`.
 * Empty (the address was removed under its retention rule): empty.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return email ? '•••' : '';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${local[0]}•••@${domain[0] ?? ''}•••${tld}`;
}
