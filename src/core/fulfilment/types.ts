/** What the fulfilment engine carries out for a data subject request. */
export const FULFILMENT_TYPES = ['access', 'portability', 'erasure', 'rectification', 'restriction'] as const;
export type FulfilmentType = (typeof FULFILMENT_TYPES)[number];
