/**
 * Where a record goes: the topology's routes for its source's direction, plus the rules that keep
 * every destination consistent with what it was sent before. Pure: the caller supplies what the
 * sync state knows (where the record and, for a repair, its breach went before).
 */
import { routes as defaultRoutes, type DestinationId, type Direction, type Route } from '../../topology/topology.js';
import { publicationOf, publishedOn } from '../shared/records/publication.js';
import type { CreditRecord } from '../shared/records/types.js';

import type { LaneAction } from '../shared/queue/lane-message.js';

export type { LaneAction } from '../shared/queue/lane-message.js';

export interface RoutePlanEntry {
  destination: DestinationId;
  action: LaneAction;
}

export interface RoutingContext {
  direction: Direction;
  /** Destinations earlier revisions of this record were routed to. */
  routedBefore: readonly DestinationId[];
  /** For a repair: destinations its breach was routed to (empty when the breach is unknown here). */
  breachRoutedTo?: readonly DestinationId[];
  routes?: Readonly<Record<Direction, readonly Route[]>>;
  /** The calendar day (Beijing, YYYY-MM-DD): a published-only destination takes a record while its publication runs. */
  today: string;
}

function matches(route: Route, record: CreditRecord, today: string): boolean {
  if (!route.recordTypes.includes(record.recordType)) return false;
  if (route.publishedOnly && !publishedOn(publicationOf(record), today)) return false;
  return true;
}

/**
 * The lane messages one accepted revision needs, in topology order:
 * - `withdraw` operation → withdraw wherever the record went before or would go now;
 * - upsert → upsert where a route matches; withdraw where it went before but no route matches now
 *   (a commitment no longer published — its publication type, a cancelled licence, its validity
 *   over — leaves the public column, and stays shared with the platforms);
 * - a repair goes, besides its own routes, everywhere its breach went ("a repair follows its breach").
 */
export function planRoutes(record: CreditRecord, context: RoutingContext): RoutePlanEntry[] {
  const table = (context.routes ?? defaultRoutes)[context.direction];
  const matched = new Set<DestinationId>(table.filter((r) => matches(r, record, context.today)).map((r) => r.destination));
  if (record.recordType === 'repair') for (const d of context.breachRoutedTo ?? []) matched.add(d);
  const before = new Set(context.routedBefore);
  const order = [...new Set([...table.map((r) => r.destination), ...matched, ...before])];
  const plan: RoutePlanEntry[] = [];
  for (const destination of order) {
    if (record.operation === 'withdraw') {
      if (matched.has(destination) || before.has(destination)) plan.push({ destination, action: 'withdraw' });
    } else if (matched.has(destination)) {
      plan.push({ destination, action: 'upsert' });
    } else if (before.has(destination)) {
      plan.push({ destination, action: 'withdraw' });
    }
  }
  return plan;
}
