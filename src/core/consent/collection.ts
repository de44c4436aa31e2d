/**
 * Where the register lets a purpose's consent be collected (pure): `consent.collectedAt` lists the
 * collection points (sources), `consent.channels` and `communication.channels` the channels. A consent
 * recorded at a point the register does not declare is refused with one answer naming what it allows.
 */
import type { Purpose } from '../register/schema.ts';
import { channelsOf, communicationBasis } from './rules.ts';

export type CollectionRefusal = {
  purposeId: string;
  /** The collection point asked for, e.g. 'customer-service'. */
  source: string;
  /** The collection points the register declares for this purpose's consent. */
  sources: string[];
  /** The channels the purpose's consent covers. */
  channels: string[];
};

/**
 * Why consent to this purpose may not be recorded at this source, or undefined when it may: a purpose
 * resting on consent whose consent block does not list the source. (A purpose without a consent block
 * declares no collection points, so none is refused here; its other rules still apply.)
 */
export function collectionRefusal(p: Purpose, source: string): CollectionRefusal | undefined {
  if (communicationBasis(p) !== 'consent' || !p.consent) return undefined;
  if ((p.consent.collectedAt as readonly string[]).includes(source)) return undefined;
  return { purposeId: p.id, source, sources: [...p.consent.collectedAt], channels: channelsOf(p) };
}

/** The one sentence that says so, with the register's own words for sources and channels. */
export function refusalSentence(r: CollectionRefusal, purposeName: string): string {
  return (
    `The register does not let consent to “${purposeName}” be recorded at ${r.source}: ` +
    `it is collected only at ${r.sources.join(', ')}, on ${r.channels.join(', ') || 'no channel'}.`
  );
}
