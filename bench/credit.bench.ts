/**
 * The credit profile and the credit check (docs/credit-check.md) on the running local runtime
 * (startRuntime: dynalite, fauxqs, the real handlers, the endpoint simulators, the ingest API over
 * HTTP), in one run:
 *
 *   (1) DynamoDB requests per accepted record, by record kind, attributed by item family: a
 *       middleware on the runtime's DynamoDB client counts every request by command and by the pk
 *       family of the item it touches (REC#, SUBJ# CREDIT#, SUBJ# ENF#, ITEM#, DUE#, EXPIRY#,
 *       CHECK#, QUAR#, NONCE#/THROTTLE#, other; a BatchWriteItem counted per item), by function
 *       (intake, deliver — the handler an AsyncLocalStorage context names — or the ingest API), and
 *       asks DynamoDB for the capacity each request consumed (ReturnConsumedCapacity, dynalite's
 *       accounting: a write rounded up to 1 KB, a read to 4 KB, of the item as stored). Records are
 *       sent to the intake queue kind after kind — first the licensing items, then commitments
 *       naming an item (审批替代型), breaches of companies with and without their legal
 *       representative's identity document, repairs of both, verifications of the commitments —
 *       each kind timed until every queue is empty and the reconciliation says every record is
 *       accepted and delivered. The credit profile's part (the CREDIT#, ITEM#, DUE# families and
 *       the commitment's flag query of SUBJ# CREDIT#) is checked against what the code does.
 *   (2) the credit check, GET /v1/subjects/{code}/credit, signed as the approval system (the one
 *       upstream with the creditCheck permission), about subjects holding 0, 10 and 100
 *       contributions seeded through the same pipeline; as the reference, a record read
 *       GET /v1/records/commitment/{id}?source=hrbxq-approval of the approval system's own source:
 *       sequential and 10 in flight, latency percentiles and requests/s. Every answer must be 200
 *       and say what the seeded subject's profile says (eligibility, points, counts), else the bench
 *       fails. The size of a contribution item and of the answer are reported.
 *
 * The endpoints' and the approval system's rate limits are lifted for the run (the pipeline and
 * the check are measured, not the platforms or the throttle); timeouts are AWS's (time scale 1);
 * the calendar is fixed (2026-11-28) so that every run answers the same.
 *
 *   node_modules/.bin/tsx bench/credit.bench.ts            full run (about 3 minutes), writes bench/results/credit-<date>.json, appends credit.md
 *   node_modules/.bin/tsx bench/credit.bench.ts --quick    a smoke run, nothing written
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { MiddlewareStack } from '@smithy/types';
import type { CreditAnswer } from '../functions/shared/credit/check.js';
import { addDays } from '../functions/shared/records/dates.js';
import { subjectDigest, subjectOf } from '../functions/shared/records/subject.js';
import { signRequest } from '../functions/shared/signing/sign.js';
import { channelFor, type DemoSubmission } from '../local/demo/dataset.js';
import { localAwsConfig } from '../local/emulators/clients.js';
import { LocalCalendar } from '../local/runtime/calendar.js';
import { settle } from '../local/runtime/reconcile.js';
import { startRuntime, type Runtime } from '../local/runtime/runtime.js';
import { DESTINATION_IDS, topology, type Topology } from '../topology/topology.js';
import { upstreams, type UpstreamId } from '../topology/upstreams.js';
import { breach, commitment, licensingItem, LICENSING_ITEM, repair, residentId, uscc, verification } from '../test/support/records.js';
import { environment, recordResults } from './environment.js';
import { fmt, latencySummary, toMarkdown, toText, type Table } from './report.js';
import { closedLoop } from './harness.js';

const quick = process.argv.includes('--quick');

/** The calendar day of the run: every answer is as of this day. */
const DAY = '2026-11-28';
const PER_KIND = quick ? 30 : 300;
const LICENSING_ITEMS = quick ? 5 : 20;
const SCENARIOS = {
  warmup: { requests: quick ? 10 : 30, concurrency: 1 },
  sequential: { requests: quick ? 30 : 300, concurrency: 1 },
  concurrent: { requests: quick ? 100 : 1000, concurrency: 10 },
} as const;
type ScenarioName = keyof typeof SCENARIOS;
const UPSTREAM: UpstreamId = 'hrbxq-approval-system';
const SIGNATURE = 'HMAC-SM3';

const log = (message: string): void => console.error(`[credit bench] ${message}`);

// ---------------------------------------------------------------- counting DynamoDB requests

/** Which code sent a request: a handler (set around its invocation), the bench's own reads (not counted), else the ingest API. */
type Caller = 'intake' | 'deliver' | 'monitor';
const caller = new AsyncLocalStorage<Caller>();

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
/** The families the credit profile adds (the flag query is the SUBJ# CREDIT# Query). */
const PROFILE_FAMILIES = new Set(['SUBJ# CREDIT#', 'ITEM#', 'DUE#']);

interface Tally {
  /** Requests (a BatchWriteItem once per family it touched). */
  requests: number;
  /** Items written (a BatchWriteItem: each), else the requests. */
  items: number;
  /** Capacity units by DynamoDB's rules (item sizes in UTF-8: a write rounded up to 1 KB, a read to 4 KB, at least one unit a request). */
  units: number;
  /** Capacity units dynalite reported consumed (a BatchWriteItem's shared out per item). */
  dynaliteUnits: number;
  /** Requests refused (ConditionalCheckFailedException…), by error name. */
  refused: Record<string, number>;
  /** Items a Query or GetItem returned, and their bytes. */
  returnedItems: number;
  returnedBytes: number;
}

/** A value's size as DynamoDB counts it (docs: "Item sizes"): strings UTF-8, numbers 1 byte per 2 significant digits + 1, maps and lists 3 + 1 per element. */
function valueBytes(value: unknown): number {
  if (value === null) return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'boolean') return 1;
  if (typeof value === 'number' || typeof value === 'bigint') {
    const digits = String(value).replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...(value as Set<unknown>)].reduce((n: number, e) => n + valueBytes(e), 0);
  if (Array.isArray(value)) return 3 + value.reduce((n: number, e) => n + 1 + valueBytes(e), 0);
  if (typeof value === 'object') return 3 + itemBytes(value as Record<string, unknown>) + Object.keys(value).length;
  return 0;
}

/** An item's size: every attribute's name and value (undefined attributes are not written). */
function itemBytes(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((n, [name, v]) => (v === undefined ? n : n + Buffer.byteLength(name) + valueBytes(v)), 0);
}

/** Write units of an item of `bytes` (1 KB each, at least 1); read units of `bytes` read (4 KB each, at least 1; half when eventually consistent). */
const writeUnitsOf = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));
const readUnitsOf = (bytes: number, consistent: boolean): number => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

/** A key attribute as the document client passes it (a string) or the low-level one ({S: '…'}). */
const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof (v as { S?: unknown } | undefined)?.S === 'string' ? (v as { S: string }).S : undefined;

/** The family of an item by its pk (and, in a subject's partition, its sk or the query's sk prefix). */
function familyOf(pk: string | undefined, sk: string | undefined): string {
  if (pk === undefined) return 'other';
  if (pk.startsWith('SUBJ#')) return sk?.startsWith('CREDIT#') ? 'SUBJ# CREDIT#' : sk?.startsWith('ENF#') ? 'SUBJ# ENF#' : 'SUBJ# (whole)';
  if (pk.startsWith('NONCE#') || pk.startsWith('THROTTLE#')) return 'NONCE#/THROTTLE#';
  for (const prefix of ['REC#', 'ITEM#', 'DUE#', 'EXPIRY#', 'CHECK#', 'QUAR#']) if (pk.startsWith(prefix)) return prefix;
  return 'other';
}

/** What one request touches: per item, its family, and the written item (a put) or the key (an update or delete). */
interface Touch {
  family: string;
  item?: Record<string, unknown>;
  key?: Record<string, unknown>;
}

function touchesOf(command: string, input: Record<string, unknown>): Touch[] {
  const values = (input['ExpressionAttributeValues'] ?? {}) as Record<string, unknown>;
  switch (command) {
    case 'PutItem': {
      const item = input['Item'] as Record<string, unknown>;
      return [{ family: familyOf(text(item['pk']), text(item['sk'])), item }];
    }
    case 'GetItem':
    case 'UpdateItem':
    case 'DeleteItem': {
      const key = input['Key'] as Record<string, unknown>;
      return [{ family: familyOf(text(key['pk']), text(key['sk'])), key }];
    }
    case 'Query': {
      const pk =
        text(values[':pk']) ??
        Object.values(values)
          .map(text)
          .find((v) => v?.includes('#'));
      return [{ family: familyOf(pk, text(values[':prefix'])) }];
    }
    case 'BatchWriteItem': {
      const requests = Object.values(
        (input['RequestItems'] ?? {}) as Record<string, Array<Record<string, { Item?: Record<string, unknown>; Key?: Record<string, unknown> }>>>,
      ).flat();
      return requests.map((r) => {
        const item = r['PutRequest']?.Item;
        const key = r['DeleteRequest']?.Key ?? item ?? {};
        return { family: familyOf(text(key['pk']), text(key['sk'])), ...(item ? { item } : { key }) };
      });
    }
    default:
      return [{ family: 'other' }];
  }
}

interface CreditPut {
  phase: string;
  role: string;
  bytes: number;
}

/**
 * Counts every DynamoDB request the runtime sends while a phase is set, by phase, caller, command
 * and family; asks for the consumed capacity; keeps the size of every contribution written. An
 * update's or delete's write units are those of the item as it is once the phase is over
 * (settle()): DynamoDB charges the larger of the item before and after, and these items only grow
 * within a phase — a delete of an item gone by then is counted 1.
 */
class FamilyCounter {
  phase: string | undefined;
  readonly tallies = new Map<string, Tally>();
  readonly creditPuts: CreditPut[] = [];
  private pending: Array<{ tally: Tally; key: Record<string, unknown> }> = [];

  attach(client: { middlewareStack: MiddlewareStack<object, object> }): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const phase = this.phase;
        const by = caller.getStore();
        const command = String((context as { commandName?: string }).commandName ?? 'unknown').replace(/Command$/, '');
        if (phase === undefined || by === 'monitor' || (!READS.has(command) && !WRITES.has(command))) return next(args);
        const input = (args as { input: Record<string, unknown> }).input;
        const touches = touchesOf(command, input);
        const fn = by ?? 'ingest';
        if (command === 'PutItem' && touches[0]!.family === 'SUBJ# CREDIT#') {
          const item = touches[0]!.item!;
          if (typeof item['sk'] === 'string') this.creditPuts.push({ phase, role: String(item['sk']).split('#')[1]!, bytes: itemBytes(item) });
        }
        const families = [...new Set(touches.map((t) => t.family))];
        const tallyOf = (family: string): Tally => {
          const key = `${phase}|${fn}|${command}|${family}`;
          let t = this.tallies.get(key);
          if (!t) this.tallies.set(key, (t = { requests: 0, items: 0, units: 0, dynaliteUnits: 0, refused: {}, returnedItems: 0, returnedBytes: 0 }));
          return t;
        };
        for (const family of families) tallyOf(family).requests++;
        for (const touch of touches) {
          const t = tallyOf(touch.family);
          t.items++;
          if (WRITES.has(command)) {
            if (touch.item) t.units += writeUnitsOf(itemBytes(touch.item));
            else if (touch.key) this.pending.push({ tally: t, key: touch.key });
          }
        }
        try {
          const result = await next({ ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } } as typeof args);
          const output = (result as { output: Record<string, unknown> }).output;
          const consumed = output['ConsumedCapacity'];
          const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
            (n: number, c: { CapacityUnits?: number }) => n + (c.CapacityUnits ?? 0),
            0,
          );
          for (const touch of touches) tallyOf(touch.family).dynaliteUnits += units / touches.length;
          if (READS.has(command)) {
            const returned =
              (output['Items'] as Array<Record<string, unknown>> | undefined) ?? (output['Item'] ? [output['Item'] as Record<string, unknown>] : []);
            const bytes = returned.reduce((b, item) => b + itemBytes(item), 0);
            const t = tallyOf(families[0]!);
            t.returnedItems += returned.length;
            t.returnedBytes += bytes;
            t.units += readUnitsOf(bytes, input['ConsistentRead'] === true);
          }
          return result;
        } catch (err) {
          const name = err instanceof Error ? err.name : 'Error';
          // a refused conditional write is charged as a write of the item; a refused read reads nothing
          if (READS.has(command)) tallyOf(families[0]!).units += readUnitsOf(0, input['ConsistentRead'] === true);
          for (const family of families) {
            const t = tallyOf(family);
            t.refused[name] = (t.refused[name] ?? 0) + 1;
          }
          throw err;
        }
      },
      { step: 'initialize', name: 'credexCreditBenchCounter' },
    );
  }

  /** The write units of the updates and deletes counted so far: from the items as they are now. */
  async settle(doc: Runtime['clients']['doc'], tableName: string): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    const sizes = new Map<string, number>();
    const keyOf = (key: Record<string, unknown>) => `${text(key['pk'])}|${text(key['sk'])}`;
    const unique = [...new Map(pending.map((p) => [keyOf(p.key), p.key])).values()];
    await caller.run('monitor', async () => {
      for (let i = 0; i < unique.length; i += 16) {
        await Promise.all(
          unique.slice(i, i + 16).map(async (key) => {
            const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: text(key['pk']), sk: text(key['sk']) }, ConsistentRead: true }));
            sizes.set(keyOf(key), Item ? itemBytes(Item) : 0);
          }),
        );
      }
    });
    for (const p of pending) p.tally.units += writeUnitsOf(sizes.get(keyOf(p.key)) ?? 0);
  }

  /** The tallies of a phase, by `fn|command|family`. */
  of(phase: string): Map<string, Tally> {
    const out = new Map<string, Tally>();
    for (const [key, t] of this.tallies) if (key.startsWith(`${phase}|`)) out.set(key.slice(phase.length + 1), t);
    return out;
  }
}

// ---------------------------------------------------------------- records

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
/** A distinct, valid USCC per k (organisation-code body B + 7 digits). */
const companyCode = (k: number): string => uscc(`91230109B${pad(k, 7)}`);
/** A distinct, valid resident identity number per k (birth date and serial from k). */
const personId = (k: number): string => residentId('230103', addDays('1970-01-01', Math.floor(k / 1000)).replaceAll('-', ''), pad(k % 1000, 3));
const itemCodeOf = (i: number): string => `XK230109${pad(100 + i, 3)}`;

type Json = Record<string, unknown>;

function companyParty(k: number, withRep: boolean): Json {
  return {
    name: `哈尔滨新区信用基准${pad(k, 6)}有限公司`,
    category: '法人及非法人组织',
    uscc: companyCode(k),
    legalRepresentative: '王建国',
    ...(withRep && { legalRepIdType: '身份证', legalRepIdNumber: personId(k) }),
  };
}

const licensingItemRecord = (i: number): Json => licensingItem({ recordId: itemCodeOf(i) }, { itemCode: itemCodeOf(i) });

/** A 审批替代型 commitment of company k naming item `serial % LICENSING_ITEMS`. */
function commitmentRecord(serial: number, k: number): Json {
  return commitment(
    { recordId: `BENCH-CN-${pad(serial, 7)}` },
    {
      commitmentCode: `23010920260302${pad(serial, 6)}`,
      party: companyParty(k, false),
      licensingItem: { ...LICENSING_ITEM, itemCode: itemCodeOf(serial % LICENSING_ITEMS) },
    },
  );
}

/** A verification of that commitment, found kept in full. */
function verificationRecord(serial: number, k: number): Json {
  return verification({ recordId: `BENCH-HC-${pad(serial, 7)}` }, { commitmentCode: `23010920260302${pad(serial, 6)}`, party: companyParty(k, false) });
}

function breachRecord(serial: number, k: number, withRep: boolean, severity: '轻微' | '一般' | '严重' = '一般'): Json {
  return breach(
    { recordId: `BENCH-SX-${pad(serial, 7)}` },
    {
      party: companyParty(k, withRep),
      decisionNumber: `哈新市监罚〔2026〕${serial}号`,
      severity,
      blackPoints: topology.credit.black.bySeverity[severity],
      brokenCommitmentCode: undefined,
    },
  );
}

/** An approved repair of breachRecord(serial, k, withRep), decided by the breach's authority. */
function repairRecord(serial: number, k: number, withRep: boolean): Json {
  return repair(
    { recordId: `BENCH-XF-${pad(serial, 7)}` },
    {
      party: companyParty(k, withRep),
      breachRecordId: `BENCH-SX-${pad(serial, 7)}`,
      breachDecisionNumber: `哈新市监罚〔2026〕${serial}号`,
      decisionNumber: `哈新信修〔2026〕${serial}号`,
    },
  );
}

/** The record kinds of (1), in the order they are sent; `expected`: the credit profile's requests per record the code makes (intake). */
const KINDS = [
  {
    kind: 'licensingItem',
    label: 'licensing item',
    records: () => Array.from({ length: LICENSING_ITEMS }, (_, i) => licensingItemRecord(i)),
    expected: { 'GetItem ITEM#': 1, 'PutItem ITEM#': 1 },
  },
  {
    kind: 'commitment',
    label: 'commitment (审批替代型, names an item)',
    records: () => Array.from({ length: PER_KIND }, (_, i) => commitmentRecord(i, 10_000 + i)),
    expected: { 'GetItem ITEM#': 1, 'Query SUBJ# CREDIT#': 1, 'PutItem SUBJ# CREDIT#': 1, 'UpdateItem DUE#': 1 },
  },
  {
    kind: 'breachRep',
    label: 'breach, company with legal rep ID',
    records: () => Array.from({ length: PER_KIND }, (_, i) => breachRecord(20_000 + i, 20_000 + i, true)),
    expected: { 'PutItem SUBJ# CREDIT#': 2 },
  },
  {
    kind: 'breach',
    label: 'breach, no legal rep ID',
    records: () => Array.from({ length: PER_KIND }, (_, i) => breachRecord(30_000 + i, 30_000 + i, false)),
    expected: { 'PutItem SUBJ# CREDIT#': 1 },
  },
  {
    kind: 'repairRep',
    label: 'repair of such a breach (legal rep ID)',
    records: () => Array.from({ length: PER_KIND }, (_, i) => repairRecord(20_000 + i, 20_000 + i, true)),
    expected: { 'PutItem SUBJ# CREDIT#': 2 },
  },
  {
    kind: 'repair',
    label: 'repair (no legal rep ID)',
    records: () => Array.from({ length: PER_KIND }, (_, i) => repairRecord(30_000 + i, 30_000 + i, false)),
    expected: { 'PutItem SUBJ# CREDIT#': 1 },
  },
  {
    kind: 'verification',
    label: 'verification (全部履行)',
    records: () => Array.from({ length: PER_KIND }, (_, i) => verificationRecord(i, 10_000 + i)),
    expected: { 'PutItem SUBJ# CREDIT#': 1, 'UpdateItem DUE#': 1 },
  },
] as const;
type Kind = (typeof KINDS)[number]['kind'];

/** The subjects of (2): their records, and what the check must answer about them. */
const SUBJECTS = [
  { level: 0, k: 90_000, records: () => [] as Json[], expect: { eligibility: 'eligible', black: 0, red: 0, kept: 0, open: [0, 0, 0] } },
  {
    level: 10,
    k: 90_010,
    // 5 commitments, each verified kept: red 2 each
    records: () => [
      ...Array.from({ length: 5 }, (_, i) => commitmentRecord(900_000 + i, 90_010)),
      ...Array.from({ length: 5 }, (_, i) => verificationRecord(900_000 + i, 90_010)),
    ],
    expect: { eligibility: 'eligible', black: 0, red: 10, kept: 5, open: [0, 0, 0] },
  },
  {
    level: 100,
    k: 90_100,
    // 45 commitments verified kept, 9 open 轻微 breaches (1 black point each) and one open 严重 (20): refused
    records: () => [
      ...Array.from({ length: 45 }, (_, i) => commitmentRecord(900_100 + i, 90_100)),
      ...Array.from({ length: 45 }, (_, i) => verificationRecord(900_100 + i, 90_100)),
      ...Array.from({ length: 9 }, (_, i) => breachRecord(900_100 + i, 90_100, false, '轻微')),
      breachRecord(900_199, 90_100, false, '严重'),
    ],
    expect: { eligibility: 'notEligible', black: 29, red: 90, kept: 45, open: [9, 0, 1] },
  },
] as const;

// ---------------------------------------------------------------- the runtime

/** The topology with every endpoint's rate limit lifted (as local.bench.ts): the pipeline is measured, not the platforms. */
function unlimited(): Topology {
  const destinations = Object.fromEntries(
    Object.entries(topology.destinations).map(([id, d]) => [id, { ...d, lane: { ...d.lane, rateLimitPerSecond: d.lane.rateLimitPerSecond * 1000 } }]),
  ) as Topology['destinations'];
  return { ...topology, destinations };
}

interface Pipeline {
  runtime: Runtime;
  counter: FamilyCounter;
  monitorSqs: SQSClient;
  /** Handler invocations running now, and what they reported. */
  inFlight: () => number;
  invocations: { intake: { records: number; failed: number }; deliver: { records: number; failed: number } };
  submitted: DemoSubmission[];
}

async function send(p: Pipeline, records: readonly Json[]): Promise<DemoSubmission[]> {
  const submissions = records.map((record, i): DemoSubmission => {
    const { channel, upstreamId } = channelFor(String(record['recordType']), String(record['source']));
    return { seq: p.submitted.length + i + 1, channel, ...(upstreamId && { upstreamId }), body: JSON.stringify(record), record, expect: 'accepted' };
  });
  p.submitted.push(...submissions);
  for (let i = 0; i < submissions.length; i += 10) {
    const chunk = submissions.slice(i, i + 10);
    await p.runtime.clients.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: p.runtime.queues.intake.url, Entries: chunk.map((s, j) => ({ Id: String(j), MessageBody: s.body })) }),
    );
  }
  return submissions;
}

/** Every queue empty (nothing visible, in flight or delayed) and no handler running. */
async function drained(p: Pipeline): Promise<boolean> {
  if (p.inFlight() > 0) return false;
  const urls = [p.runtime.queues.intake.url, ...DESTINATION_IDS.map((d) => p.runtime.queues.lanes[d].url)];
  const depths = await Promise.all(
    urls.map((QueueUrl) =>
      p.monitorSqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      ),
    ),
  );
  return depths.every((d) => Object.values(d.Attributes ?? {}).every((n) => Number(n) === 0)) && p.inFlight() === 0;
}

/** Sends the records and waits until every one is accepted and delivered everywhere it goes: the seconds it took. */
async function processRecords(p: Pipeline, records: readonly Json[], what: string): Promise<number> {
  const start = performance.now();
  const submissions = await send(p, records);
  let quiet = 0;
  for (let lastChange = performance.now(), before = -1; quiet < 2;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    quiet = (await drained(p)) ? quiet + 1 : 0;
    const now = p.invocations.intake.records + p.invocations.deliver.records;
    if (now !== before) lastChange = performance.now();
    before = now;
    if (performance.now() - lastChange > 60_000) throw new Error(`${what}: the pipeline stalled`);
  }
  const seconds = (performance.now() - start) / 1000;
  const result = await caller.run('monitor', () => settle(() => p.runtime.reconcile(submissions), { settleSeconds: 30, intervalSeconds: 1 }));
  const s = result.submissions!;
  if (!result.complete || s.accepted !== submissions.length || s.unaccounted.length > 0)
    throw new Error(
      `${what}: not every record was accepted and delivered: ${JSON.stringify({ ...s, unaccounted: s.unaccounted.slice(0, 3) })}, complete ${result.complete}`,
    );
  return seconds;
}

// ---------------------------------------------------------------- (1) requests per record

interface KindResult {
  kind: Kind;
  label: string;
  records: number;
  seconds: number;
  /** `fn|command|family` → tally. */
  tallies: Record<string, Tally>;
}

const sum = (
  tallies: Record<string, Tally>,
  keep: (fn: string, command: string, family: string) => boolean,
  field: (t: Tally, command: string) => number,
): number =>
  Object.entries(tallies).reduce((n, [key, t]) => {
    const [fn, command, family] = key.split('|') as [string, string, string];
    return keep(fn, command, family) ? n + field(t, command) : n;
  }, 0);
/** Reads: requests; writes: items written (a BatchWriteItem counts each item). */
const reads = (t: Tally, command: string): number => (READS.has(command) ? t.requests : 0);
const writes = (t: Tally, command: string): number => (WRITES.has(command) ? t.items : 0);
const readUnits = (t: Tally, command: string): number => (READS.has(command) ? t.units : 0);
const writeUnits = (t: Tally, command: string): number => (WRITES.has(command) ? t.units : 0);
const dynaliteUnits = (t: Tally): number => t.dynaliteUnits;

/** A count per record: exact (up to 3 decimals, trailing zeros dropped). */
const per = (n: number, records: number): string => String(Math.round((n / records) * 1000) / 1000);

function profileOf(r: KindResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, t] of Object.entries(r.tallies)) {
    const [, command, family] = key.split('|') as [string, string, string];
    if (PROFILE_FAMILIES.has(family)) out[`${command} ${family}`] = (out[`${command} ${family}`] ?? 0) + t.requests / r.records;
  }
  return out;
}

function mismatches(r: KindResult): string[] {
  const expected = KINDS.find((k) => k.kind === r.kind)!.expected as Record<string, number>;
  const measured = profileOf(r);
  const keys = new Set([...Object.keys(expected), ...Object.keys(measured)]);
  return [...keys]
    .filter((k) => Math.abs((measured[k] ?? 0) - (expected[k] ?? 0)) > 1e-9)
    .map((k) => `${r.kind}: ${k} ${measured[k] ?? 0} per record, the code makes ${expected[k] ?? 0}`);
}

function requestTables(results: readonly KindResult[]): Table[] {
  const isProfile = (_fn: string, _command: string, family: string): boolean => PROFILE_FAMILIES.has(family);
  const fnIs = (wanted: string) => (fn: string) => fn === wanted;
  const summary: Table = {
    title: 'DynamoDB requests per accepted record, by kind (intake + deliver, counted on the runtime client)',
    head: [
      'kind',
      'records',
      'intake reads',
      'intake writes',
      'deliver reads',
      'deliver writes',
      'total reads',
      'total writes',
      'profile reads',
      'profile writes',
      'WRU',
      'profile WRU',
      'RRU',
      'profile RRU',
      'dynalite WRU + RRU',
    ],
    right: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
    rows: results.map((r) => {
      const n = r.records;
      const t = r.tallies;
      return [
        r.label,
        fmt.int(n),
        per(sum(t, fnIs('intake'), reads), n),
        per(sum(t, fnIs('intake'), writes), n),
        per(sum(t, fnIs('deliver'), reads), n),
        per(sum(t, fnIs('deliver'), writes), n),
        per(
          sum(t, () => true, reads),
          n,
        ),
        per(
          sum(t, () => true, writes),
          n,
        ),
        per(sum(t, isProfile, reads), n),
        per(sum(t, isProfile, writes), n),
        per(
          sum(t, () => true, writeUnits),
          n,
        ),
        per(sum(t, isProfile, writeUnits), n),
        per(
          sum(t, () => true, readUnits),
          n,
        ),
        per(sum(t, isProfile, readUnits), n),
        per(
          sum(t, () => true, dynaliteUnits),
          n,
        ),
      ];
    }),
    note:
      'Reads are requests (GetItem, Query); writes are items written (PutItem, UpdateItem, DeleteItem, and each item of a BatchWriteItem). ' +
      'Profile: the CREDIT# contributions, the licensing-item list (ITEM#), the commitments’ deadlines (DUE#) and the commitment’s flag query (Query of SUBJ# CREDIT#). ' +
      'WRU/RRU by DynamoDB’s rules, from the items’ sizes in UTF-8: a write of up to 1 KB is 1 WRU (an update: the item as it is after the kind’s records), a strongly consistent read of up to 4 KB 1 RRU (a Query: all it read together), at least 1 a request; ' +
      'the status index’s writes (a DEST# outcome, a DUE# item opened or closed) are not in them: DynamoDB charges them on top. ' +
      'dynalite WRU + RRU: what the emulator reported consumed — it sizes a string by its UTF-16 length, so each Chinese character counts 1 byte instead of 3, and a Query that reads nothing 0.',
  };
  const intakeKeys = [...new Set(results.flatMap((r) => Object.keys(r.tallies).filter((k) => k.startsWith('intake|'))))].sort((a, b) => {
    const [, ca, fa] = a.split('|') as [string, string, string];
    const [, cb, fb] = b.split('|') as [string, string, string];
    return fa === fb ? ca.localeCompare(cb) : fa.localeCompare(fb);
  });
  const matrix = (fn: string, keys: readonly string[], title: string): Table => ({
    title,
    head: ['command', 'family', ...results.map((r) => r.kind)],
    right: results.map((_, i) => i + 2),
    rows: keys.map((key) => {
      const [, command, family] = key.split('|') as [string, string, string];
      return [
        command,
        family,
        ...results.map((r) => {
          const t = r.tallies[`${fn}|${command}|${family}`];
          if (!t) return '';
          const count = command === 'BatchWriteItem' ? `${per(t.requests, r.records)} (${per(t.items, r.records)} items)` : per(t.requests, r.records);
          const refused = Object.values(t.refused).reduce((a, b) => a + b, 0);
          return refused > 0 ? `${count}, ${per(refused, r.records)} refused` : count;
        }),
      ];
    }),
  });
  const deliverKeys = [...new Set(results.flatMap((r) => Object.keys(r.tallies).filter((k) => k.startsWith('deliver|'))))].sort();
  const profile: Table = {
    title: 'The credit profile’s requests per record (intake), measured and as the code makes them',
    head: ['kind', 'measured', 'the code (functions/intake/intake.ts)', 'same'],
    rows: results.map((r) => {
      const expected = KINDS.find((k) => k.kind === r.kind)!.expected as Record<string, number>;
      const text = (m: Record<string, number>) =>
        Object.entries(m)
          .sort()
          .map(([k, v]) => `${k} ${String(Math.round(v * 1000) / 1000)}`)
          .join(', ') || '—';
      return [r.label, text(profileOf(r)), text(expected), mismatches(r).length === 0 ? 'yes' : 'NO'];
    }),
    note: 'A commitment: checkListed reads its item (GetItem ITEM#), ineligibleOnCommitmentDate queries its subject’s contributions (the flag), recordCreditFacts puts its contribution and tracks its deadline (UpdateItem DUE#); a breach or repair naming the legal representative’s ID puts two contributions; a verification one, and closes its commitment’s deadline.',
  };
  return [
    summary,
    profile,
    matrix('intake', intakeKeys, 'Intake: DynamoDB requests per record, by command and item family (refused: a condition failed)'),
    matrix('deliver', deliverKeys, 'Deliver (every lane): DynamoDB requests per record, by command and item family'),
  ];
}

function contributionTable(puts: readonly CreditPut[]): {
  table: Table;
  byKind: Record<string, { role: string; items: number; min: number; median: number; max: number; mean: number }[]>;
} {
  const byKind: Record<string, { role: string; items: number; min: number; median: number; max: number; mean: number }[]> = {};
  const rows: string[][] = [];
  for (const { kind, label } of KINDS) {
    for (const role of ['subject', 'responsiblePerson']) {
      const sizes = puts
        .filter((p) => p.phase === kind && p.role === role)
        .map((p) => p.bytes)
        .sort((a, b) => a - b);
      if (sizes.length === 0) continue;
      const figures = {
        role,
        items: sizes.length,
        min: sizes[0]!,
        median: sizes[Math.floor(sizes.length / 2)]!,
        max: sizes.at(-1)!,
        mean: sizes.reduce((a, b) => a + b, 0) / sizes.length,
      };
      (byKind[kind] ??= []).push(figures);
      rows.push([label, role, fmt.int(figures.items), fmt.int(figures.min), fmt.int(figures.median), fmt.int(figures.max)]);
    }
  }
  return {
    byKind,
    table: {
      title: 'Contribution items (SUBJ#<digest> / CREDIT#<role>#<record pk>) as written, bytes (DynamoDB item size: names + values)',
      head: ['kind', 'role', 'items', 'min B', 'median B', 'max B'],
      right: [2, 3, 4, 5],
      rows,
      note: `The largest is ${Math.max(...puts.map((p) => p.bytes))} B: a contribution write is ${Math.max(...puts.map((p) => p.bytes)) <= 1024 ? '1 WRU' : 'more than 1 WRU'}.`,
    },
  };
}

// ---------------------------------------------------------------- (2) the check over HTTP

interface Outcome {
  ms: number;
  status: number;
  bytes: number;
  problem?: string;
}

interface Target {
  name: string;
  label: string;
  path: string;
  /** Why the answer is wrong, or undefined. */
  verify: (status: number, body: unknown) => string | undefined;
}

async function ask(p: Pipeline, target: Target): Promise<Outcome> {
  const credentials = p.runtime.credentials.upstreams[UPSTREAM];
  const start = performance.now();
  try {
    const headers = signRequest({ method: 'GET', path: target.path, body: Buffer.alloc(0), credentials, algorithm: SIGNATURE });
    const response = await fetch(`${p.runtime.endpoints.ingest}${target.path}`, { headers });
    const text = await response.text();
    const ms = performance.now() - start;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const problem = target.verify(response.status, body);
    return { ms, status: response.status, bytes: Buffer.byteLength(text), ...(problem !== undefined && { problem }) };
  } catch (err) {
    return { ms: performance.now() - start, status: 0, bytes: 0, problem: err instanceof Error ? err.message : String(err) };
  }
}

interface Run {
  target: string;
  scenario: ScenarioName;
  requests: number;
  concurrency: number;
  wallMs: number;
  latenciesMs: number[];
  failures: number;
  failureSamples: string[];
  answerBytes: number[];
}

async function run(p: Pipeline, target: Target, scenario: ScenarioName): Promise<Run> {
  const { requests, concurrency } = SCENARIOS[scenario];
  p.counter.phase = `check:${target.name}:${scenario}`;
  const { outcomes, wallMs } = await closedLoop(requests, concurrency, () => ask(p, target));
  p.counter.phase = undefined;
  await p.counter.settle(p.runtime.clients.doc, p.runtime.tableName);
  const failed = outcomes.filter((o) => o.problem !== undefined);
  return {
    target: target.name,
    scenario,
    requests,
    concurrency,
    wallMs,
    latenciesMs: outcomes.map((o) => o.ms),
    failures: failed.length,
    failureSamples: [...new Set(failed.map((o) => `${o.status} ${o.problem ?? ''}`))].slice(0, 5),
    answerBytes: [...new Set(outcomes.map((o) => o.bytes))].sort((a, b) => a - b),
  };
}

function figures(r: Run) {
  return {
    target: r.target,
    scenario: r.scenario,
    requests: r.requests,
    concurrency: r.concurrency,
    failures: r.failures,
    failureSamples: r.failureSamples,
    answerBytes: r.answerBytes,
    wallSeconds: r.wallMs / 1000,
    requestsPerSecond: (r.requests / r.wallMs) * 1000,
    latencyMs: latencySummary(r.latenciesMs),
  };
}

function checkTargets(readId: string): Target[] {
  const subjects = SUBJECTS.map((s): Target => ({
    name: `credit${s.level}`,
    label: `credit check, ${s.level} contributions`,
    path: `/v1/subjects/${encodeURIComponent(companyCode(s.k))}/credit`,
    verify: (status, body) => {
      if (status !== 200) return `status ${status}`;
      const a = body as CreditAnswer & { checkId?: string };
      const got = {
        eligibility: a.eligibility,
        black: a.points?.black,
        red: a.points?.red,
        kept: a.counts?.commitments?.kept,
        open: [a.counts?.openBreaches?.byTier['轻微'], a.counts?.openBreaches?.byTier['一般'], a.counts?.openBreaches?.byTier['严重']],
      };
      const want = { ...s.expect, open: [...s.expect.open] };
      if (a.asOf !== DAY || typeof a.checkId !== 'string') return `asOf ${a.asOf}, checkId ${String(a.checkId)}`;
      return JSON.stringify(got) === JSON.stringify(want) ? undefined : `answered ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
    },
  }));
  const read: Target = {
    name: 'recordRead',
    label: 'record read (reference)',
    path: `/v1/records/commitment/${encodeURIComponent(readId)}?source=hrbxq-approval`,
    verify: (status, body) => {
      if (status !== 200) return `status ${status}`;
      const b = body as { recordId?: string; revision?: number; destinations?: Array<{ status: string }> };
      const delivered = (b.destinations ?? []).filter((d) => d.status === 'delivered').length;
      return b.recordId === readId && b.revision === 1 && delivered === 3 ? undefined : `answered ${JSON.stringify(body).slice(0, 200)}`;
    },
  };
  return [...subjects, read];
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const started = performance.now();
  const loadStart = os.loadavg()[0]!;
  const env = environment(['functions', 'local', 'topology', 'bench/credit.bench.ts']);
  // the approval system may ask 600 requests a minute: lifted for the run, so the throttle counts
  // but never refuses (the runtime reads the registry when it composes the ingest API)
  (upstreams[UPSTREAM] as { rateLimitPerMinute: number }).rateLimitPerMinute = 1_000_000;

  let inFlight = 0;
  const invocations = { intake: { records: 0, failed: 0 }, deliver: { records: 0, failed: 0 } };
  const roleOf = (functionName: string): 'intake' | 'deliver' => (functionName.endsWith('-intake') ? 'intake' : 'deliver');
  log(`starting the local runtime (dynalite), rate limits lifted, calendar ${DAY}`);
  const runtime = await startRuntime({
    topology: unlimited(),
    timeScale: 1,
    pullIntervalSeconds: 0,
    sweepIntervalSeconds: 0,
    calendar: new LocalCalendar(DAY),
    logLevel: 'SILENT',
    wrapHandler: (functionName, handler) => async (event, context) => {
      inFlight++;
      try {
        return await caller.run(roleOf(functionName), () => handler(event, context));
      } finally {
        inFlight--;
      }
    },
    onInvocation: (report) => {
      const tally = invocations[roleOf(report.functionName)];
      tally.records += report.records;
      tally.failed += report.failed;
    },
  });
  const counter = new FamilyCounter();
  counter.attach(runtime.clients.ddb as never);
  const monitorSqs = new SQSClient(localAwsConfig(runtime.endpoints.sqs));
  const p: Pipeline = { runtime, counter, monitorSqs, inFlight: () => inFlight, invocations, submitted: [] };
  try {
    // ---- (1)
    const kinds: KindResult[] = [];
    for (const k of KINDS) {
      const records = k.records();
      log(`(1) ${k.label}: ${records.length} records`);
      counter.phase = k.kind;
      const seconds = await processRecords(p, records, k.label);
      counter.phase = undefined;
      await counter.settle(runtime.clients.doc, runtime.tableName);
      kinds.push({ kind: k.kind, label: k.label, records: records.length, seconds, tallies: Object.fromEntries(counter.of(k.kind)) });
    }
    const failedInvocations = { ...invocations };

    // ---- (2): the subjects, seeded through the same pipeline (not counted)
    for (const s of SUBJECTS) {
      const records = s.records();
      if (records.length > 0) {
        log(`(2) seeding a subject with ${s.level} contributions`);
        // commitments first (a verification closes a deadline its commitment opened), then the rest
        await processRecords(
          p,
          records.filter((r) => r['recordType'] === 'commitment'),
          `seed ${s.level}`,
        );
        await processRecords(
          p,
          records.filter((r) => r['recordType'] !== 'commitment'),
          `seed ${s.level}`,
        );
      }
      const stored = await caller.run('monitor', () => runtime.state.getCreditContributions(subjectDigest(subjectOf(companyParty(s.k, false))!)));
      if (stored.length !== s.level) throw new Error(`the subject seeded with ${s.level} contributions holds ${stored.length}`);
    }
    const targets = checkTargets(String(commitmentRecord(0, 10_000)['recordId']));
    const runs: Run[] = [];
    for (const target of targets)
      for (const scenario of Object.keys(SCENARIOS) as ScenarioName[]) {
        log(`(2) ${target.label}: ${SCENARIOS[scenario].requests} requests, ${SCENARIOS[scenario].concurrency} in flight`);
        runs.push(await run(p, target, scenario));
      }
    const all = runs.map(figures);
    const measured = all.filter((f) => f.scenario !== 'warmup');

    // ---- figures
    const loadEnd = os.loadavg()[0]!;
    const elapsed = (performance.now() - started) / 1000;
    const machine =
      `${String(env['cpu'])}, ${String(env['cores'])} cores, ${(Number(env['totalMemoryBytes']) / 2 ** 30).toFixed(1)} GiB, ` +
      `${String(env['platform'])}, Node ${String(env['node'])} (V8 ${String(env['v8'])}), commit ${String(env['commit'])}` +
      (env['uncommittedChanges'] ? ' + uncommitted changes in functions/, local/, topology/ or the bench' : '') +
      `; dynalite + fauxqs; load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end (1 min)`;

    const tables = requestTables(kinds);
    const contributions = contributionTable(counter.creditPuts);
    tables.splice(2, 0, contributions.table);

    // the DynamoDB requests of one HTTP request, by target (the concurrent run's)
    const perRequest = (name: string) => {
      const r = runs.find((x) => x.target === name && x.scenario === 'concurrent')!;
      const tallies = counter.of(`check:${name}:concurrent`);
      const rows = [...tallies].map(([key, t]) => {
        const [, command, family] = key.split('|') as [string, string, string];
        return {
          command,
          family,
          perRequest: t.requests / r.requests,
          units: t.units / t.requests,
          dynaliteUnits: t.dynaliteUnits / t.requests,
          returnedItems: t.returnedItems / t.requests,
          returnedBytes: t.returnedBytes / t.requests,
        };
      });
      return rows.sort((a, b) => a.family.localeCompare(b.family));
    };
    const requestsByTarget = Object.fromEntries(targets.map((t) => [t.name, perRequest(t.name)]));
    const http: Table = {
      title: `Over HTTP (fetch → node:http → handleIngestRequest → dynalite), signed ${SIGNATURE} as the approval system, latency per request`,
      head: ['target', 'scenario', 'requests', 'failures', 'requests/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'answer B'],
      right: [2, 3, 4, 5, 6, 7, 8, 9],
      rows: measured.map((f) => [
        targets.find((t) => t.name === f.target)!.label,
        f.scenario === 'sequential' ? 'sequential' : '10 in flight',
        fmt.int(f.requests),
        fmt.int(f.failures),
        fmt.rate(f.requestsPerSecond),
        fmt.ms(f.latencyMs.p50),
        fmt.ms(f.latencyMs.p95),
        fmt.ms(f.latencyMs.p99),
        fmt.ms(f.latencyMs.max),
        f.answerBytes.map((b) => fmt.int(b)).join('–'),
      ]),
      note:
        'Latency: from signing the request to the whole answer read, client side. Every answer checked: 200, and for the check the eligibility, points and counts the seeded subject must get; ' +
        'for the read, the commitment delivered at its 3 destinations. The client, the ingest server, the handlers, fauxqs and dynalite share this machine.',
    };
    const dynamo: Table = {
      title: 'DynamoDB requests of one HTTP request (10 in flight), and their capacity units',
      head: ['target', 'command', 'family', 'per request', 'units', 'dynalite units', 'items read', 'bytes read'],
      right: [3, 4, 5, 6, 7],
      rows: targets.flatMap((t) =>
        requestsByTarget[t.name]!.map((x) => [
          t.label,
          x.command,
          x.family,
          per(x.perRequest, 1),
          per(x.units, 1),
          per(x.dynaliteUnits, 1),
          READS.has(x.command) ? per(x.returnedItems, 1) : '',
          READS.has(x.command) ? fmt.int(x.returnedBytes) : '',
        ]),
      ),
      note: 'The check: claim the nonce, count the throttle, one strongly consistent Query of the subject’s CREDIT# items, the check log’s PutItem. The read: the nonce, the throttle, one Query of the record’s partition (META, REV, DEST, EVT).',
    };
    tables.push(http, dynamo);
    const mismatched = kinds.flatMap(mismatches);
    const failures = runs.reduce((n, r) => n + r.failures, 0);
    const checks = [
      `Records: ${kinds.reduce((n, k) => n + k.records, 0)} in (1), every one accepted and delivered (reconciled); handler invocations that failed a record: intake ${failedInvocations.intake.failed}, deliver ${failedInvocations.deliver.failed}.`,
      `The credit profile's requests as the code makes them: ${mismatched.length === 0 ? 'every kind' : `NOT for ${mismatched.join('; ')}`}.`,
      `HTTP answers wrong or not 200: ${failures}.`,
    ];

    console.log('');
    console.log(machine);
    for (const t of tables) console.log(`\n${toText(t)}`);
    console.log('');
    for (const line of checks) console.log(line);
    for (const r of runs.filter((x) => x.failures > 0)) console.log(`  ${r.target} ${r.scenario}: ${r.failureSamples.join('; ')}`);
    console.log(`(bench ran ${elapsed.toFixed(0)} s)`);

    if (failures > 0 || mismatched.length > 0) {
      process.exitCode = 1;
      console.error('FAILED: every answer must be 200 and right, and the profile must cost what the code says');
      return;
    }
    if (quick) return;
    recordResults({
      name: 'credit',
      intro:
        '# Credit profile and credit check benchmark results\n\nAppended by `tsx bench/credit.bench.ts` (see bench/README.md): the local runtime (dynalite, fauxqs, the real handlers), rate limits lifted, time scale 1, calendar 2026-11-28. What the figures cost: docs/capacity.md, "Credit profile and credit check".\n',
      machine,
      env,
      load: { start: loadStart, end: loadEnd },
      json: {
        config: {
          day: DAY,
          perKind: PER_KIND,
          licensingItems: LICENSING_ITEMS,
          scenarios: SCENARIOS,
          upstream: UPSTREAM,
          signature: SIGNATURE,
          dynamodb: 'dynalite',
        },
        requestsPerRecord: kinds.map((k) => ({ ...k, profile: profileOf(k), expectedProfile: KINDS.find((x) => x.kind === k.kind)!.expected })),
        contributionItemBytes: contributions.byKind,
        subjects: SUBJECTS.map((s) => ({ level: s.level, expect: s.expect })),
        http: all,
        dynamodbPerHttpRequest: requestsByTarget,
        latenciesMs: Object.fromEntries(runs.map((r) => [`${r.target}:${r.scenario}`, r.latenciesMs.map((ms) => Math.round(ms * 1000) / 1000)])),
        benchSeconds: elapsed,
      },
      lines: [...tables.flatMap((t) => [toMarkdown(t), '']), ...checks, ''],
    });
  } finally {
    monitorSqs.destroy();
    await runtime.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
