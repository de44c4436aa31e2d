/**
 * Whether a purpose may hand out a kind of identifier only hashed (P44), read from the register: the
 * purpose's data categories name the hashed form (`user.contact.email.hashed`) and neither the plain
 * category nor one above it (`user.contact.email`, `user.contact`, `user`). The demo's ad matching is such
 * a purpose: "Before any e-mail address is shared with an advertising network it is hashed". A list of
 * identifiers for it, a suppression list included, leaves Ombud only as hashes.
 */
import type { Purpose } from '../register/schema.ts';

const PLAIN: Record<'email' | 'phone', string> = {
  email: 'user.contact.email',
  phone: 'user.contact.phone_number',
};

export function sharedOnlyHashed(purpose: Pick<Purpose, 'data'>, kind: 'email' | 'phone'): boolean {
  const plain = PLAIN[kind];
  const categories = purpose.data.flatMap((d) => d.categories);
  const hashed = categories.includes(`${plain}.hashed`);
  const plainToo = categories.some((c) => c === plain || plain.startsWith(`${c}.`));
  return hashed && !plainToo;
}
