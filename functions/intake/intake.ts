/**
 * The intake: every record from every upstream passes here once per revision. For a batch of SQS
 * messages it decides what is valid, what is new and where it goes, and never loses anything:
 *
 *  1. admit each message: read the body (encoding, size, JSON), validate, check the source is
 *     registered, accept the revision (conditional write) — or quarantine it with every reason,
 *     or ack it as a duplicate / superseded revision;
 *  2. send the lane messages of all admitted records, grouped per lane, 10 per request;
 *  3. mark each fully sent revision routed, and write the batch's history events.
 *
 * A revision accepted but not marked routed (a crash, a failed send) is routed when the message
 * comes back. Only transient failures (AWS errors) are reported as batch item failures; invalid
 * input is terminal and acked once it is safely in quarantine.
 */
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import {
  DEFAULT_ROUTING_LEASE_SECONDS,
  publicationRole,
  routes as defaultRoutes,
  sources as defaultSources,
  type DestinationId,
  type Direction,
  type Route,
  type Source,
} from '../../topology/topology.js';
import { creditPolicy as defaultCreditPolicy, type CreditPolicy } from '../../topology/credit-policy.js';
import { describeError } from '../shared/errors.js';
import { contentHash } from '../shared/records/content-hash.js';
import { breachRefOf, notAFirstViolation, repairMismatches } from '../shared/records/cross-record.js';
import { beijingDate } from '../shared/records/dates.js';
import { isSeverityTier, publicationOf } from '../shared/records/publication.js';
import { subjectDigest, subjectOf } from '../shared/records/subject.js';
import { RECORD_TYPES } from '../shared/records/generated/schema-index.js';
import type { CreditRecord } from '../shared/records/types.js';
import { validateRecordText, type ValidateOptions, type ValidationIssue } from '../shared/records/validate.js';
import { sendBatch, type OutgoingMessage } from '../shared/queue/send-batch.js';
import { outgoingLaneMessage } from '../shared/queue/lane-message.js';

export type { LaneMessage } from '../shared/queue/lane-message.js';
import type { RecordRef } from '../shared/state/keys.js';
import {
  QuarantineBodyTooLargeError,
  reasonOfInvalid,
  refOf,
  type HistoryEvent,
  type QuarantineEntry,
  type QuarantineReason,
  type SyncState,
} from '../shared/state/sync-state.js';
import { planRoutes, type RoutePlanEntry } from './routing.js';
import { contributionsOf } from '../shared/credit/contributions.js';
import { eligibilityOf } from '../shared/credit/eligibility.js';
import {
  checkAgainstList,
  givenDeadline,
  itemCodeOf,
  latestDeadline,
  licensingItemEntryOf,
  NOTIFY_AND_COMMIT_TYPES,
  withDeadline,
} from '../shared/credit/licensing.js';
import { creditProfile } from '../shared/credit/profile.js';
import type { LicensingItemEntry, Origin, VerificationFact } from '../shared/credit/types.js';
import { recordPk } from '../shared/state/keys.js';
import type { StructuredLogger } from '../shared/logger.js';

export interface IntakeConfig {
  tableName: string;
  /** Queue URL of each destination's lane. */
  laneQueueUrls: Readonly<Partial<Record<DestinationId, string>>>;
  /** Where a body too large even for quarantine is kept (the intake queue's DLQ). */
  intakeDlqUrl?: string;
  sources?: Readonly<Record<string, Source>>;
  routes?: Readonly<Record<Direction, readonly Route[]>>;
  validate?: ValidateOptions;
  /**
   * How long a routing claim holds (default 120 s): longer than one invocation, shorter than the
   * intake queue's visibility timeout, so a crashed claim has expired when its message returns.
   */
  routingLeaseSeconds?: number;
  /** The red/black points scheme: a breach without black points gets its tier's (default: topology/credit-policy.ts). */
  creditPolicy?: CreditPolicy;
}

/** What intake asks of the sync state. */
export type IntakeState = Pick<
  SyncState,
  | 'acceptRevision'
  | 'claimRouting'
  | 'releaseRouting'
  | 'markRouted'
  | 'getMeta'
  | 'getLatestRecord'
  | 'appendEvents'
  | 'quarantine'
  | 'scheduleExpiry'
  | 'registerEnforcement'
  | 'listEnforcement'
  | 'getLicensingItem'
  | 'putLicensingItem'
  | 'putCreditContributions'
  | 'getCreditContributions'
  | 'trackCommitmentDue'
  | 'recordCommitmentVerified'
>;

export interface IntakeDeps {
  state: IntakeState;
  sqs: SQSClient;
  config: IntakeConfig;
  logger: StructuredLogger;
  now?: () => Date;
  /**
   * The calendar day publication is decided on (YYYY-MM-DD): default the Beijing date of `now`.
   * The local runtime runs its own calendar.
   */
  today?: () => string;
}

/** What became of one message. */
export type IntakeOutcome = 'routed' | 'duplicate' | 'superseded' | 'quarantined' | 'failed';

export interface IntakeResult {
  batchItemFailures: Array<{ itemIdentifier: string }>;
  outcomes: Map<string, IntakeOutcome>;
  /** Commitments accepted in this batch from a subject that was notEligible for 告知承诺 on its commitment date (flagged, not refused). */
  flaggedCommitments: number;
}

/** A message whose revision is accepted and must now be routed. */
interface Admitted {
  message: SQSRecord;
  correlationId: string;
  record: CreditRecord;
  ref: RecordRef;
  plan: RoutePlanEntry[];
  /** This invocation's routing claim (claimRouting), released if the sends fail. */
  claimToken: string;
  /** false when this message re-routes a revision accepted earlier. */
  firstAcceptance: boolean;
  /** A commitment from a subject notEligible on its commitment date. */
  flagged: boolean;
  /** What the exchange added or noticed on acceptance (assigned black points, warnings), for the history. */
  facts: Record<string, unknown>;
}

type Admission = { kind: 'done'; outcome: IntakeOutcome } | { kind: 'route'; admitted: Admitted };

export async function processIntakeBatch(messages: readonly SQSRecord[], deps: IntakeDeps): Promise<IntakeResult> {
  const { state } = deps;
  const now = () => (deps.now?.() ?? new Date()).toISOString();
  const events: HistoryEvent[] = [];
  const outcomes = new Map<string, IntakeOutcome>();
  // the commitments of a batch name few items of the licensing-item list: each is read once
  const items = new Map<string, ReturnType<IntakeState['getLicensingItem']>>();
  const listed: ItemLookup = (code) => {
    if (!items.has(code)) items.set(code, state.getLicensingItem(code));
    return items.get(code)!;
  };

  const admissions = await Promise.all(
    messages.map(async (message): Promise<Admission> => {
      try {
        return await admit(message, state, listed, deps, events, now);
      } catch (err) {
        deps.logger.error('intake failed transiently; the message will be retried', {
          messageId: message.messageId,
          correlationId: correlationIdOf(message),
          error: describeError(err),
        });
        return { kind: 'done', outcome: 'failed' };
      }
    }),
  );
  messages.forEach((m, i) => {
    const a = admissions[i]!;
    if (a.kind === 'done') outcomes.set(m.messageId, a.outcome);
  });

  const admitted = admissions.flatMap((a) => (a.kind === 'route' ? [a.admitted] : []));
  const unsent = await sendLaneMessages(admitted, deps, now());
  await Promise.all(
    admitted.map(async (a) => {
      const id = a.message.messageId;
      if (unsent.has(id)) {
        deps.logger.warn('lane messages not sent; the record is accepted and will be routed on retry', {
          messageId: id,
          correlationId: a.correlationId,
          reason: unsent.get(id),
        });
        outcomes.set(id, 'failed');
        await state.releaseRouting(a.ref, a.claimToken).catch((err: unknown) => {
          // the lease then simply runs out before the message returns
          deps.logger.warn('routing claim not released', { messageId: id, correlationId: a.correlationId, error: describeError(err) });
        });
        return;
      }
      try {
        const at = now();
        // false: a newer revision was accepted after the claim; it saw these destinations and routes itself
        const latest = await state.markRouted(a.ref, a.record.revision, at);
        const routed = { lanes: a.plan.map((p) => `${p.destination}:${p.action}`), ...(!latest && { overtaken: true }) };
        const base = { ref: a.ref, at, correlationId: a.correlationId, revision: a.record.revision };
        // a first acceptance and its routing are one history item (read back as the two events)
        events.push(
          a.firstAcceptance
            ? { ...base, type: 'accepted', ...(Object.keys(a.facts).length > 0 && { detail: a.facts }), routed: { at, detail: routed } }
            : { ...base, type: 'routed', detail: routed },
        );
        outcomes.set(id, 'routed');
        deps.logger.info('record routed', {
          messageId: id,
          correlationId: a.correlationId,
          ...a.ref,
          revision: a.record.revision,
          lanes: a.plan.map((p) => `${p.destination}:${p.action}`),
        });
      } catch (err) {
        deps.logger.error('could not mark the revision routed; the message will be retried', {
          messageId: id,
          correlationId: a.correlationId,
          error: describeError(err),
        });
        outcomes.set(id, 'failed');
      }
    }),
  );

  try {
    await state.appendEvents(events);
  } catch (err) {
    // The records themselves are safe (accepted, routed or quarantined); only history is missing.
    deps.logger.error('history events could not be written', { count: events.length, error: describeError(err) });
  }

  const batchItemFailures = messages.filter((m) => outcomes.get(m.messageId) === 'failed').map((m) => ({ itemIdentifier: m.messageId }));
  const flaggedCommitments = admitted.filter((a) => a.flagged && a.firstAcceptance && outcomes.get(a.message.messageId) === 'routed').length;
  return { batchItemFailures, outcomes, flaggedCommitments };
}

/** An upstream's correlation id when it is a sane one (it travels in every lane message), else the message id. */
function correlationIdOf(message: SQSRecord): string {
  const given = message.messageAttributes?.['correlationId']?.stringValue;
  return given !== undefined && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : message.messageId;
}

/** When SQS first accepted the message: the same on every redelivery. */
function sentAtOf(message: SQSRecord, fallback: string): string {
  const sent = Number(message.attributes?.SentTimestamp);
  return Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : fallback;
}

/** An item of the licensing-item list by its code (read once per batch). */
type ItemLookup = IntakeState['getLicensingItem'];

async function admit(
  message: SQSRecord,
  state: IntakeState,
  listed: ItemLookup,
  deps: IntakeDeps,
  events: HistoryEvent[],
  now: () => string,
): Promise<Admission> {
  const correlationId = correlationIdOf(message);
  const receivedAt = now();
  const keep = async (reason: QuarantineReason, errors: ValidationIssue[], record?: Partial<CreditRecord>, ref?: RecordRef): Promise<Admission> => {
    const sentAt = sentAtOf(message, receivedAt);
    await keepInQuarantine(state, deps, {
      receivedAt,
      sentAt,
      messageId: message.messageId,
      reason,
      errors,
      body: message.body,
      correlationId,
      ...identityFacts(record),
    });
    if (ref)
      events.push({
        ref,
        type: reason === 'conflict' ? 'conflict' : 'invalid',
        at: receivedAt,
        correlationId,
        ...(typeof record?.revision === 'number' && { revision: record.revision }),
        detail: { reason, rules: errors.map((e) => e.rule) },
      });
    deps.logger.warn('record quarantined', { messageId: message.messageId, correlationId, reason, errors: errors.map((e) => `${e.path} ${e.rule}`) });
    return { kind: 'done', outcome: 'quarantined' };
  };

  if (message.body.includes('\uFFFD')) {
    return keep('encoding', [
      {
        path: '',
        rule: 'encoding',
        message: 'the body contains U+FFFD replacement characters: it was not valid UTF-8 when it was sent (send UTF-8 JSON; the ingest API decodes GB18030)',
      },
    ]);
  }
  const result = validateRecordText(message.body, deps.config.validate);
  const parsed = isObject(result.record) ? (result.record as Partial<CreditRecord>) : undefined;
  if (!result.valid) {
    return keep(reasonOfInvalid(result.errors), result.errors, parsed, identityOf(parsed, result.errors));
  }
  const record = result.record as CreditRecord;
  const ref = refOf(record);
  const source = (deps.config.sources ?? defaultSources)[record.source];
  if (!source) {
    return keep(
      'unknownSource',
      [{ path: '/source', rule: 'registeredSource', message: `source ${JSON.stringify(record.source)} is not a registered source system` }],
      record,
      ref,
    );
  }

  // a repair must be about the breach it names and decided by its authority: checked now if the
  // breach is here (a repair that comes first waits for it at each destination, checked there). A
  // withdrawal is never refused for it: a repair sent by mistake must be retractable.
  const breach = record.recordType === 'repair' ? await state.getLatestRecord(breachRefOf(record)) : undefined;
  if (breach && record.operation === 'upsert') {
    const mismatches = repairMismatches(record, breach.record);
    if (mismatches.length > 0) return keep('invalid', mismatches, record, ref);
  }

  // the licensing-item list: a commitment that grants a licence names an item in force that allows
  // its type (its deadline follows from the item's time limit); an item code belongs to one record
  const list = await checkListed(record, ref, state, listed);
  if (list.issues.length > 0) return keep('invalid', list.issues, record, ref);

  const today = deps.today?.() ?? beijingDate(deps.now?.() ?? new Date());
  const routes = deps.config.routes ?? defaultRoutes;
  const routing = { direction: source.direction, breachRoutedTo: (breach?.meta.routedTo ?? []) as DestinationId[], routes, today };
  const leaseUntil = new Date(Date.parse(receivedAt) + 1000 * (deps.config.routingLeaseSeconds ?? DEFAULT_ROUTING_LEASE_SECONDS)).toISOString();
  const token = randomUUID();
  // a new revision is claimed for routing in the accept write itself: the destinations its routes
  // name are known now (withdrawals go only where it went before, already in routedTo)
  const named = planRoutes(record, { ...routing, routedBefore: [] }).map((p) => p.destination);
  // the content hash is the source's record; what the exchange adds (black points) is not content
  const hash = contentHash(record);
  const policy = deps.config.creditPolicy ?? defaultCreditPolicy;
  const { canonical, assigned } = withDistrictBlackPoints(withDeadline(record, list.deadline), policy);
  const outcome = await state.acceptRevision(canonical, {
    contentHash: hash,
    now: receivedAt,
    correlationId,
    claim: { destinations: named, leaseUntil, token },
  });
  switch (outcome.kind) {
    case 'superseded':
      events.push({ ref, type: 'superseded', at: receivedAt, correlationId, revision: record.revision, detail: { storedRevision: outcome.storedRevision } });
      deps.logger.info('older revision superseded', {
        messageId: message.messageId,
        correlationId,
        ...ref,
        revision: record.revision,
        storedRevision: outcome.storedRevision,
      });
      return { kind: 'done', outcome: 'superseded' };
    case 'duplicate':
      events.push({ ref, type: 'duplicate', at: receivedAt, correlationId, revision: record.revision });
      deps.logger.info('duplicate revision acknowledged', { messageId: message.messageId, correlationId, ...ref, revision: record.revision });
      return { kind: 'done', outcome: 'duplicate' };
    case 'conflict':
      return keep(
        'conflict',
        [
          {
            path: '/revision',
            rule: 'revisionConflict',
            message: `revision ${record.revision} was already accepted with different content; a changed record needs a higher revision`,
          },
        ],
        record,
        ref,
      );
    case 'accepted':
    case 'unrouted': {
      const plan = planRoutes(record, { ...routing, routedBefore: outcome.routedTo as DestinationId[] });
      // what the exchange must remember before routing (a crash retries it, idempotently): the end
      // of a publication to send later, and the subject's enforcement history
      await scheduleExpiryIfPublished(state, canonical, plan, routes, today);
      const warnings = [...list.warnings, ...(await recordEnforcement(state, canonical))];
      // a commitment from a subject not eligible on its commitment date is flagged for inspectors, not refused
      const ineligible = outcome.kind === 'accepted' ? await ineligibleOnCommitmentDate(state, canonical, policy) : undefined;
      if (ineligible)
        warnings.push(`the committer was notEligible for 告知承诺 on ${String(canonical.data['commitmentDate'])}: ${ineligible.rules.join(', ')}`);
      await recordCreditFacts(state, canonical, source.direction === 'inbound' ? 'province' : 'district', list);
      if (warnings.length > 0)
        deps.logger.warn('record accepted with warnings', { messageId: message.messageId, correlationId, ...ref, revision: record.revision, warnings });
      // a redelivered, accepted-but-unrouted revision needs its claim now; a new one got it on acceptance
      const claim =
        outcome.kind === 'accepted'
          ? ({ kind: 'claimed' } as const)
          : await state.claimRouting(
              ref,
              record.revision,
              plan.map((p) => p.destination),
              { now: receivedAt, leaseUntil, token },
            );
      if (claim.kind === 'claimed') {
        const facts = {
          ...(assigned !== undefined && { assignedBlackPoints: assigned }),
          ...(list.deadline !== undefined && { fulfilmentDeadline: list.deadline }),
          ...(ineligible && { ineligibleOnCommitmentDate: ineligible }),
          ...(warnings.length > 0 && { warnings }),
        };
        return {
          kind: 'route',
          admitted: {
            message,
            correlationId,
            record: canonical,
            ref,
            plan,
            claimToken: token,
            firstAcceptance: outcome.kind === 'accepted',
            flagged: ineligible !== undefined,
            facts,
          },
        };
      }
      if (claim.kind === 'superseded') {
        events.push({ ref, type: 'superseded', at: receivedAt, correlationId, revision: record.revision, detail: { storedRevision: claim.storedRevision } });
        return { kind: 'done', outcome: 'superseded' };
      }
      // another copy of this message is being routed (same batch or another invocation), or was routed
      events.push({ ref, type: 'duplicate', at: receivedAt, correlationId, revision: record.revision });
      deps.logger.info('duplicate revision acknowledged', { messageId: message.messageId, correlationId, ...ref, revision: record.revision });
      return { kind: 'done', outcome: 'duplicate' };
    }
  }
}

interface ListedCheck {
  issues: ValidationIssue[];
  warnings: string[];
  /** A commitment's fulfilment deadline from its item's time limit. */
  deadline?: string;
  /** The item the commitment names, as the list holds it. */
  item?: LicensingItemEntry;
}

/**
 * A commitment against the licensing-item list (functions/shared/credit/licensing.ts); a licensing
 * item against the code's holder (one record per item code). A withdrawal is never refused: its
 * deadline is still worked out, so that what was due is closed.
 */
async function checkListed(record: CreditRecord, ref: RecordRef, state: IntakeState, listed: ItemLookup): Promise<ListedCheck> {
  if (record.recordType === 'licensingItem') {
    const code = String(record.data['itemCode']);
    const held = await state.getLicensingItem(code);
    if (held === undefined || recordPk(held.ref) === recordPk(ref)) return { issues: [], warnings: [] };
    return {
      issues: [
        {
          path: '/data/itemCode',
          rule: 'itemCodeTaken',
          message: `item code ${code} belongs to licensingItem ${held.ref.source}/${held.ref.recordId}: one record per item (change that record, or withdraw it first)`,
        },
      ],
      warnings: [],
    };
  }
  const code = record.recordType === 'commitment' ? itemCodeOf(record) : undefined;
  if (code === undefined) return { issues: [], warnings: [] };
  const item = await listed(code);
  if (record.operation === 'withdraw') {
    const deadline = givenDeadline(record) ?? (item ? latestDeadline(String(record.data['commitmentDate']), item) : undefined);
    return { issues: [], warnings: [], ...(deadline !== undefined && { deadline }), ...(item && { item }) };
  }
  return { ...checkAgainstList(record, item), ...(item && { item }) };
}

/**
 * What an accepted revision changes in the credit state, idempotently (a retry writes the same):
 * its contributions to credit profiles, the licensing-item list, a commitment's deadline, a
 * verification of a commitment.
 */
async function recordCreditFacts(state: IntakeState, record: CreditRecord, origin: Origin, list: ListedCheck): Promise<void> {
  const d = record.data;
  const withdrawn = record.operation === 'withdraw';
  const writes: Array<Promise<unknown>> = [state.putCreditContributions(contributionsOf(record, origin))];
  if (record.recordType === 'licensingItem') writes.push(state.putLicensingItem(licensingItemEntryOf(record)));
  const deadline = givenDeadline(record) ?? list.deadline;
  if (record.recordType === 'commitment' && deadline !== undefined) {
    const itemCode = itemCodeOf(record);
    writes.push(
      state.trackCommitmentDue({
        commitmentCode: String(d['commitmentCode']),
        ref: refOf(record),
        revision: record.revision,
        deadline,
        commitmentDate: String(d['commitmentDate']),
        department: list.item?.department ?? String(d['acceptingUnit']),
        ...(itemCode !== undefined && { itemCode }),
        ...(withdrawn && { withdrawn: true }),
      }),
    );
  }
  if (record.recordType === 'verification') {
    writes.push(
      state.recordCommitmentVerified({
        commitmentCode: String(d['commitmentCode']),
        ref: refOf(record),
        verificationDate: String(d['verificationDate']),
        result: d['result'] as VerificationFact['result'],
        withdrawn,
      }),
    );
  }
  await Promise.all(writes);
}

/**
 * Whether a 告知承诺 commitment's subject was notEligible on the commitment date, by what the
 * exchange knows now (its profile as of that day): the rules and records behind it, or undefined.
 * Other commitment types (a credit-repair commitment, say) are never flagged.
 */
async function ineligibleOnCommitmentDate(
  state: IntakeState,
  record: CreditRecord,
  policy: CreditPolicy,
): Promise<{ rules: string[]; records: string[] } | undefined> {
  if (record.recordType !== 'commitment' || record.operation !== 'upsert') return undefined;
  if (!NOTIFY_AND_COMMIT_TYPES.includes(String(record.data['commitmentType']))) return undefined;
  const subject = subjectOf(record.data['party']);
  if (!subject) return undefined;
  const profile = creditProfile(await state.getCreditContributions(subjectDigest(subject)), String(record.data['commitmentDate']), policy);
  const { eligibility, reasons } = eligibilityOf(profile, policy);
  if (eligibility !== 'notEligible') return undefined;
  const refusing = reasons.filter((r) => r.effect === 'notEligible');
  return {
    rules: refusing.map((r) => r.rule),
    records: refusing.flatMap((r) => (r.record ? [`${r.record.recordType}/${r.record.source}/${r.record.recordId}`] : [])),
  };
}

/** Where the breach a repair repairs was routed (nothing when the breach is not known here, or the record is no repair). */
export async function breachDestinations(state: Pick<SyncState, 'getMeta'>, record: CreditRecord): Promise<DestinationId[]> {
  if (record.recordType !== 'repair') return [];
  const meta = await state.getMeta(breachRefOf(record));
  return (meta?.routedTo ?? []) as DestinationId[];
}

/**
 * The district's black points (topology/credit-policy.ts) on a breach that arrives without
 * them — every breach from the province: its tier's points, assigned on receipt. Returns the
 * record the exchange keeps and the points it assigned (undefined when the source gave them).
 */
export function withDistrictBlackPoints(record: CreditRecord, policy: CreditPolicy): { canonical: CreditRecord; assigned?: number } {
  if (record.recordType !== 'breach' || record.data['blackPoints'] !== undefined || !isSeverityTier(record.data['severity'])) return { canonical: record };
  const assigned = policy.black.bySeverity[record.data['severity']];
  return { canonical: { ...record, data: { ...record.data, blackPoints: assigned } }, assigned };
}

/**
 * Schedules the end of publication of a revision that a destination it goes to publishes, and
 * whose publication has an end still to come: the expiry sweep sends it there after that day.
 */
async function scheduleExpiryIfPublished(
  state: IntakeState,
  record: CreditRecord,
  plan: readonly RoutePlanEntry[],
  routes: Readonly<Record<Direction, readonly Route[]>>,
  today: string,
): Promise<void> {
  const publication = publicationOf(record);
  if (!publication.publish || publication.until === undefined || publication.until < today) return;
  if (!plan.some((p) => p.action === 'upsert' && publicationRole(p.destination, record.recordType, routes).publishes)) return;
  await state.scheduleExpiry(refOf(record), record.revision, publication.until);
}

/**
 * Keeps a breach or non-penalty decision in its subject's enforcement history, and says why a
 * first-offence exemption (首违不罚) is not a first violation, if it is not. The exemption is the
 * authority's decision: the exchange keeps it and warns (history, log), it does not refuse it.
 */
async function recordEnforcement(state: IntakeState, record: CreditRecord): Promise<string[]> {
  if (record.recordType !== 'breach' && record.recordType !== 'nonPenalty') return [];
  const subject = subjectOf(record.data['party']);
  if (!subject) return [];
  const digest = subjectDigest(subject);
  const ref = refOf(record);
  const decisionDate = String(record.data['decisionDate']);
  const ground = typeof record.data['ground'] === 'string' ? record.data['ground'] : undefined;
  let warnings: string[] = [];
  if (record.recordType === 'nonPenalty' && ground === '首违不罚' && record.operation === 'upsert') {
    const history = await state.listEnforcement(digest);
    warnings = notAFirstViolation(
      { record: `${ref.recordType}/${ref.source}/${ref.recordId}`, decisionDate },
      history.map((e) => ({
        record: `${e.ref.recordType}/${e.ref.source}/${e.ref.recordId}`,
        recordType: e.ref.recordType,
        operation: e.operation,
        decisionNumber: e.decisionNumber,
        decisionDate: e.decisionDate,
        ...(e.ground !== undefined && { ground: e.ground }),
      })),
    );
  }
  await state.registerEnforcement(digest, {
    ref,
    revision: record.revision,
    operation: record.operation,
    decisionNumber: String(record.data['decisionNumber']),
    decisionDate,
    ...(ground !== undefined && { ground }),
    ...(typeof record.data['severity'] === 'string' && { severity: record.data['severity'] }),
  });
  return warnings;
}

/** Sends every admitted record's lane messages, per lane; returns the messages (by id) not fully sent. */
async function sendLaneMessages(admitted: readonly Admitted[], deps: IntakeDeps, routedAt: string): Promise<Map<string, string>> {
  const perLane = new Map<DestinationId, OutgoingMessage[]>();
  const unsent = new Map<string, string>();
  for (const a of admitted) {
    for (const entry of a.plan) {
      const list = perLane.get(entry.destination) ?? [];
      // a pointer of well under 1 KB (every field is length-bounded), so 10 fit any SendMessageBatch request
      list.push(
        outgoingLaneMessage(a.message.messageId, {
          ...a.ref,
          revision: a.record.revision,
          destination: entry.destination,
          action: entry.action,
          correlationId: a.correlationId,
          routedAt,
        }),
      );
      perLane.set(entry.destination, list);
    }
  }
  await Promise.all(
    [...perLane].map(async ([destination, list]) => {
      const url = deps.config.laneQueueUrls[destination];
      if (!url) {
        for (const m of list) unsent.set(m.key, `no queue configured for lane ${destination}`);
        return;
      }
      const { failed } = await sendBatch(deps.sqs, url, list);
      for (const [key, reason] of failed) unsent.set(key, `${destination}: ${reason}`);
    }),
  );
  return unsent;
}

/** Quarantines; a body too large even compressed goes to the intake DLQ and quarantine points to it. */
async function keepInQuarantine(state: IntakeState, deps: IntakeDeps, entry: QuarantineEntry): Promise<void> {
  try {
    await state.quarantine(entry);
  } catch (err) {
    if (!(err instanceof QuarantineBodyTooLargeError) || !deps.config.intakeDlqUrl) throw err;
    const sent = await deps.sqs.send(
      new SendMessageCommand({
        QueueUrl: deps.config.intakeDlqUrl,
        MessageBody: entry.body,
        MessageAttributes: {
          quarantineReason: { DataType: 'String', StringValue: entry.reason },
          correlationId: { DataType: 'String', StringValue: entry.correlationId },
        },
      }),
    );
    await state.quarantine({ ...entry, body: '', bodyHeldIn: `intake-dlq:${sent.MessageId}` });
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The record's identity when its identifying fields are themselves valid (for history and quarantine facts). */
function identityOf(record: Partial<CreditRecord> | undefined, errors: readonly ValidationIssue[]): RecordRef | undefined {
  if (!record || errors.some((e) => e.path === '/recordType' || e.path === '/source' || e.path === '/recordId' || e.path === '')) return undefined;
  const { recordType, source, recordId } = record;
  if (typeof recordType !== 'string' || !(RECORD_TYPES as readonly string[]).includes(recordType) || typeof source !== 'string' || typeof recordId !== 'string')
    return undefined;
  return { recordType: recordType as CreditRecord['recordType'], source, recordId };
}

function identityFacts(record: Partial<CreditRecord> | undefined): Partial<QuarantineEntry> {
  if (!record) return {};
  return {
    ...(typeof record.source === 'string' && { source: record.source }),
    ...(typeof record.recordType === 'string' && { recordType: record.recordType }),
    ...(typeof record.recordId === 'string' && { recordId: record.recordId }),
    ...(typeof record.revision === 'number' && { revision: record.revision }),
  };
}
