/**
 * Which channel a record enters by (ingest push, intake queue or the provincial feed), from its
 * source and record type and the upstreams topology/upstreams.ts registers.
 */
import { upstreams } from '../../../topology/upstreams.js';
import { FEED_SOURCE } from './plan.js';
import type { Channel } from './types.js';

/**
 * How a record of this source and type enters: the provincial feed for the province's records, the
 * ingest API when a registered upstream may push it, else straight to the intake queue.
 */
export function channelFor(recordType: string, source: string): { channel: Channel; upstreamId?: string } {
  if (source === FEED_SOURCE) return { channel: 'feed' };
  for (const [id, upstream] of Object.entries(upstreams)) {
    if (id === FEED_SOURCE) continue;
    const pushes = (upstream.sources as readonly string[]).includes(source) && (upstream.recordTypes as readonly string[]).includes(recordType);
    if (pushes) return { channel: 'ingest', upstreamId: id };
  }
  return { channel: 'queue' };
}
