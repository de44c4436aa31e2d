/**
 * Conversion measurement (P45), pure: may the hashed user data of a conversion go to the network? Only when
 * the visitor's current cookie choice has the purpose's cookie category (marketing) on, the choice is not
 * older than the group's re-ask period, and the network is a recipient of the purpose in the register.
 */
import type { Purpose } from '../register/schema.ts';

export type CookieChoice = { categories: Record<string, boolean>; at: Date };
export type ConversionRefusal =
  | 'not-a-cookie-consent-purpose'
  | 'recipient-not-in-register'
  | 'no-cookie-choice'
  | 'category-declined'
  | 'choice-expired';
export type ConversionDecision =
  | { allowed: true; category: string }
  | { allowed: false; reason: ConversionRefusal };

export function conversionDecision(q: {
  purpose: Purpose;
  recipient: string;
  choice: CookieChoice | undefined;
  now: Date;
  reaskDays: number;
}): ConversionDecision {
  const category = q.purpose.consent?.cookieCategory;
  if (!category) return { allowed: false, reason: 'not-a-cookie-consent-purpose' };
  if (!q.purpose.recipients.includes(q.recipient))
    return { allowed: false, reason: 'recipient-not-in-register' };
  if (!q.choice) return { allowed: false, reason: 'no-cookie-choice' };
  if (q.now.getTime() - q.choice.at.getTime() > q.reaskDays * 86_400_000)
    return { allowed: false, reason: 'choice-expired' };
  if (q.choice.categories[category] !== true) return { allowed: false, reason: 'category-declined' };
  return { allowed: true, category };
}
