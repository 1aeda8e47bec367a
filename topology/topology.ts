/**
 * The exchange's topology, declared once: destinations (one lane each), registered sources,
 * routing rules, and the queue and event-source settings of every lane. The CDK stack turns it
 * into AWS resources; the local runtime into emulator queues and pollers; intake routes by it.
 * docs/routing.md explains the rules.
 */
import type { RecordType } from './record-types.js';
import { FEED } from './names.js';
import { creditPolicy, type CreditPolicy } from './credit-policy.js';

/** outbound: district → province, city, public column; inbound: province → district. */
export type Direction = 'outbound' | 'inbound';

export interface LaneSettings {
  /** Records per Lambda invocation (SQS event source BatchSize). */
  batchSize: number;
  /** Seconds the event source may wait to fill a batch. */
  maxBatchingWindowSeconds: number;
  /** Concurrent invocations at most (event source MaximumConcurrency, ≥ 2); derived from the rate limit unless set. */
  maxConcurrency: number;
  /**
   * Requests one invocation has in flight to the destination at most (it starts at one and adds one
   * per good answer: a failing endpoint sees one at a time). 1 sends them one after another.
   */
  maxInFlight: number;
  /** Receives before a message moves to the lane's DLQ. */
  maxReceiveCount: number;
  /** Requests per second the destination accepts. */
  rateLimitPerSecond: number;
  /** Seconds one send may take before it counts as a transient failure. */
  sendTimeoutSeconds: number;
}

export interface Destination {
  title: string;
  direction: Direction;
  /** Records one request to the destination may carry (its API's limit; 1 for single-record contracts). */
  maxRecordsPerRequest: number;
  lane: LaneSettings;
}

export interface Source {
  title: string;
  direction: Direction;
}

export interface Route {
  destination: DestinationId;
  /** The record types shared with this destination. */
  recordTypes: readonly RecordType[];
  /**
   * The record types this destination publishes on a public website, as each record's publication
   * decision says (functions/shared/records/publication.ts): their sends state whether the record
   * is published and until when, and the expiry sweep ends their publication here. Sharing and
   * publishing are separate decisions: a type shared but not listed here is never published here.
   */
  publishes?: readonly RecordType[];
  /**
   * The destination holds published records only (a public column): a record goes here only while
   * its publication runs, and is taken down when it stops.
   */
  publishedOnly?: boolean;
}

/**
 * Seconds one request to a destination typically takes (their answers, measured against the
 * simulators' contracts, are well under this). A lane needs about rate × this many requests in
 * flight to reach its rate limit; each invocation paces itself to its share of the limit.
 */
export const EXPECTED_REQUEST_SECONDS = 0.5;

/** Requests an invocation may have in flight to a destination, unless its lane says otherwise. */
export const DEFAULT_MAX_IN_FLIGHT = 8;

/**
 * Concurrent invocations a lane needs to reach its rate limit: enough requests in flight at the
 * expected latency, and at least the event source's minimum of 2. Fewer invocations each take a
 * larger share of the limit, so a batch waits less on the pacing (and bills less).
 */
export function concurrencyFor(rateLimitPerSecond: number, maxInFlight = DEFAULT_MAX_IN_FLIGHT): number {
  return Math.max(2, Math.ceil((rateLimitPerSecond * EXPECTED_REQUEST_SECONDS) / Math.max(1, maxInFlight)));
}

const lane = (overrides: Partial<LaneSettings>): LaneSettings => {
  const rateLimitPerSecond = overrides.rateLimitPerSecond ?? 10;
  const maxInFlight = overrides.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  return {
    batchSize: 10,
    maxBatchingWindowSeconds: 1,
    maxConcurrency: concurrencyFor(rateLimitPerSecond, maxInFlight),
    maxInFlight,
    maxReceiveCount: 6,
    rateLimitPerSecond,
    sendTimeoutSeconds: 10,
    ...overrides,
  };
};

export const destinations = {
  // batch uploads of up to 100 records: a larger batch and a window to fill it cut requests 10×
  provincial: {
    title: '黑龙江省公共信用信息共享平台',
    direction: 'outbound',
    maxRecordsPerRequest: 100,
    lane: lane({ batchSize: 100, maxBatchingWindowSeconds: 5, rateLimitPerSecond: 20 }),
  },
  // one record per request: the requests of a batch go concurrently, paced to the invocation's share
  municipal: { title: '哈尔滨市公共信用信息共享平台', direction: 'outbound', maxRecordsPerRequest: 1, lane: lane({ batchSize: 10, rateLimitPerSecond: 5 }) },
  // batched contracts: a batch fills one request, so two invocations carry the lane
  publicColumn: {
    title: '信用黑龙江 市场主体承诺专栏',
    direction: 'outbound',
    maxRecordsPerRequest: 50,
    lane: lane({ batchSize: 50, rateLimitPerSecond: 10 }),
  },
  district: {
    title: '哈尔滨新区审批监管执法信用一体化平台',
    direction: 'inbound',
    maxRecordsPerRequest: 20,
    lane: lane({ batchSize: 20, rateLimitPerSecond: 10 }),
  },
} as const satisfies Record<string, Destination>;

export type DestinationId = keyof typeof destinations;
export const DESTINATION_IDS = Object.keys(destinations) as DestinationId[];

/** The intake queue's event-source settings. */
export const intake = lane({ batchSize: 10, maxConcurrency: 5, rateLimitPerSecond: Number.POSITIVE_INFINITY });

/**
 * Registered source systems (the envelope's `source`). A record from a source not listed here is
 * quarantined; the source's direction decides which routes apply.
 */
export const sources: Readonly<Record<string, Source>> = {
  'hrbxq-approval': { title: '哈尔滨新区行政审批局', direction: 'outbound' },
  'hrbxq-enforcement': { title: '哈尔滨新区综合行政执法局', direction: 'outbound' },
  'hrbxq-market': { title: '哈尔滨新区市场监督管理局', direction: 'outbound' },
  'hrbxq-agriculture': { title: '哈尔滨新区农业农村局', direction: 'outbound' },
  'hrbxq-trading': { title: '哈尔滨新区公共资源交易中心', direction: 'outbound' },
  'hrb-credit-repair': { title: '哈尔滨新区信用修复受理窗口', direction: 'outbound' },
  'hrb-transport-approval': { title: '哈尔滨市交通运输局（审批）', direction: 'outbound' },
  'hrb-transport-enforcement': { title: '哈尔滨市交通运输综合行政执法支队', direction: 'outbound' },
  'hrbdl-approval': { title: '哈尔滨市道里区行政审批局', direction: 'outbound' },
  'hrbdl-enforcement': { title: '哈尔滨市道里区综合行政执法局', direction: 'outbound' },
  [FEED.source]: { title: '黑龙江省公共信用信息共享平台（失信信息推送）', direction: 'inbound' },
};

/**
 * Which destinations a record goes to, by direction. On top of these rules (docs/routing.md):
 * a withdraw, or an upsert a rule no longer matches, goes as a withdrawal everywhere the record
 * went before; a repair also goes everywhere its breach went. A non-penalty decision (nonPenalty)
 * is named by no route: kept by the exchange, shared and published nowhere (docs/domain.md).
 * The sharing platforms publish the breaches they are told to on their credit websites (信用黑龙江,
 * 信用哈尔滨); commitments are published by the public column only. A verification (核查) of a
 * commitment is shared with the platforms like the commitment and published nowhere.
 */
export const routes: Readonly<Record<Direction, readonly Route[]>> = {
  outbound: [
    { destination: 'provincial', recordTypes: ['commitment', 'breach', 'repair', 'verification'], publishes: ['breach'] },
    { destination: 'municipal', recordTypes: ['commitment', 'breach', 'repair', 'verification'], publishes: ['breach'] },
    { destination: 'publicColumn', recordTypes: ['commitment'], publishes: ['commitment'], publishedOnly: true },
  ],
  inbound: [{ destination: 'district', recordTypes: ['breach', 'repair'] }],
};

/** How a destination treats the publication of a record type (the routes above, read per destination). */
export interface PublicationRole {
  /** The destination publishes this record type: sends state the publication; the sweep ends it. */
  publishes: boolean;
  /** The destination holds published records only. */
  publishedOnly: boolean;
}

export function publicationRole(
  destination: DestinationId,
  recordType: RecordType,
  table: Readonly<Record<Direction, readonly Route[]>> = routes,
): PublicationRole {
  const named = Object.values(table)
    .flat()
    .filter((r) => r.destination === destination);
  return {
    publishes: named.some((r) => r.publishes?.includes(recordType) === true),
    publishedOnly: named.some((r) => r.publishedOnly === true && r.recordTypes.includes(recordType)),
  };
}

/**
 * The expiry sweep (functions/sweep): how often it looks for publications past their end and
 * sends the end of publication where they were published, and how many records one run handles
 * at most (a run that leaves some for later says so; the next one continues).
 */
export interface ExpirySweepSettings {
  everyMinutes: number;
  maxRecordsPerRun: number;
}

export const expirySweep: ExpirySweepSettings = { everyMinutes: 60, maxRecordsPerRun: 500 };

/** The whole topology, as the stack and the local runtime take it (tests pass variants). */
export interface Topology {
  destinations: Readonly<Record<DestinationId, Destination>>;
  intake: LaneSettings;
  sources: Readonly<Record<string, Source>>;
  routes: Readonly<Record<Direction, readonly Route[]>>;
  /** The red/black points scheme and the credit check's thresholds (topology/credit-policy.ts). */
  credit: CreditPolicy;
  expirySweep: ExpirySweepSettings;
}

export const topology: Topology = { destinations, intake, sources, routes, credit: creditPolicy, expirySweep };

/**
 * How long a routing claim holds by default: longer than one invocation, shorter than the intake
 * queue's visibility timeout (infra/plan.ts checks it), so a crashed claim has expired when its
 * message returns.
 */
export const DEFAULT_ROUTING_LEASE_SECONDS = 120;
