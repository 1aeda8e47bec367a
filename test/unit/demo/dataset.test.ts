/**
 * The demo dataset (local/demo/dataset.ts): reproducible, valid where it claims to be, invalid for
 * the reason it states, entering through channels the registries allow, and with expectations the
 * intake's revision guard really produces.
 *
 * The records hold identity numbers: assertions compare them as booleans or through validator
 * messages (which never quote them), never by printing a record.
 */
import { createHash } from 'node:crypto';
import { jest } from '@jest/globals';
import { contentHash } from '../../../functions/shared/records/content-hash.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { validateRecord } from '../../../functions/shared/records/validate.js';
import { creditPolicy } from '../../../topology/credit-policy.js';
import { sources } from '../../../topology/topology.js';
import { upstreams } from '../../../topology/upstreams.js';
import {
  DEFAULT_TODAY,
  DEPARTMENTS,
  INVALID_REASONS,
  LICENSING_ITEMS,
  OFF_LIST_ITEM,
  QUARANTINE_OF,
  VERIFICATION_RESULTS,
  generateDemoDataset,
  submissionWaves,
  type DemoDataset,
  type DemoSubmission,
  type Expectation,
  type Severity,
} from '../../../local/demo/dataset.js';

const SEED = 20261128;
const TODAY = '2026-11-28';
type Json = Record<string, unknown>;

const digest = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');
const keyOf = (r: Json): string => `${String(r['recordType'])}/${String(r['source'])}/${String(r['recordId'])}`;
const dataOf = (s: DemoSubmission): Json => s.record!['data'] as Json;
const isRegistered = (source: unknown): boolean => typeof source === 'string' && Object.hasOwn(sources, source);
const accepted = (d: DemoDataset): DemoSubmission[] => d.submissions.filter((s) => s.expect === 'accepted');
const ofType = (list: DemoSubmission[], type: string, source?: string): DemoSubmission[] =>
  list.filter((s) => s.record?.['recordType'] === type && (source === undefined || s.record['source'] === source));

// generated while the tests are collected: test.each needs them (about a third of a second)
const one = generateDemoDataset({ seed: SEED });
const ten = generateDemoDataset({ seed: SEED, scale: 10 });
/** Scale 1 with other seeds: the invariants must not depend on a lucky seed. */
const others = [1, 2, 3, 99].map((seed) => generateDemoDataset({ seed }));

const everyDataset = (): Array<[string, DemoDataset]> => [
  ['scale 1', one],
  ['scale 10', ten],
  ...others.map((d): [string, DemoDataset] => [`seed ${d.seed}`, d]),
];

/** The commitment types the licensing-item list is checked for. */
const LIST_CHECKED: readonly unknown[] = ['审批替代型', '容缺受理型'];

/**
 * Whether the licensing-item list (itemCode → the licensingItem record's data) refuses a record: a
 * 审批替代型/容缺受理型 commitment whose item is not on it, not in force on the commitment date, or
 * not allowing its type.
 */
function listRefuses(list: ReadonlyMap<string, Json>, record: Json): boolean {
  const data = record['data'] as Json;
  if (record['recordType'] !== 'commitment' || !LIST_CHECKED.includes(data['commitmentType'])) return false;
  const item = list.get(String((data['licensingItem'] as Json | undefined)?.['itemCode']));
  const date = String(data['commitmentDate']);
  return (
    !item ||
    date < String(item['validFrom']) ||
    date > String(item['validTo']) ||
    !(item['allowedCommitmentTypes'] as unknown[]).includes(data['commitmentType'])
  );
}

/** The list a dataset pushes: itemCode → data of its licensingItem submissions. */
const listOf = (d: DemoDataset): Map<string, Json> => new Map(ofType(d.submissions, 'licensingItem').map((s) => [String(dataOf(s)['itemCode']), dataOf(s)]));

/**
 * What the intake does with each submission, in order (functions/intake/intake.ts +
 * acceptRevision): invalid, unregistered or refused by the licensing-item list accepted so far →
 * quarantined; otherwise a higher revision than stored is accepted, a lower one superseded, the same
 * one a duplicate when its content hash matches.
 */
function intakeModel(submissions: readonly DemoSubmission[]): Array<Expectation | 'conflict'> {
  const stored = new Map<string, { revision: number; hash: string }>();
  const list = new Map<string, Json>();
  return submissions.map((s) => {
    if (!s.record || !validateRecord(s.record).valid || !isRegistered(s.record['source']) || listRefuses(list, s.record)) return 'invalid';
    const key = keyOf(s.record);
    const revision = s.record['revision'] as number;
    const hash = contentHash(s.record as unknown as CreditRecord);
    const prev = stored.get(key);
    if (!prev || revision > prev.revision) {
      stored.set(key, { revision, hash });
      if (s.record['recordType'] === 'licensingItem') list.set(String(dataOf(s)['itemCode']), dataOf(s));
      return 'accepted';
    }
    if (revision < prev.revision) return 'superseded';
    return hash === prev.hash ? 'duplicate' : 'conflict';
  });
}

describe('reproducibility', () => {
  test('the same options give the same dataset; another seed, scale or day a different one', () => {
    expect(digest(generateDemoDataset({ seed: SEED }))).toBe(digest(one));
    expect(digest(generateDemoDataset({ seed: SEED, scale: 1, today: TODAY }))).toBe(digest(one));
    expect(digest(generateDemoDataset({ seed: SEED + 1 }))).not.toBe(digest(one));
    expect(digest(generateDemoDataset({ seed: SEED, scale: 2 }))).not.toBe(digest(one));
    expect(digest(generateDemoDataset({ seed: SEED, today: '2027-03-31' }))).not.toBe(digest(one));
  });

  test('options it cannot honour are refused', () => {
    expect(() => generateDemoDataset({ seed: 1.5 })).toThrow(/seed/);
    expect(() => generateDemoDataset({ seed: 1, scale: 0 })).toThrow(/scale/);
    expect(() => generateDemoDataset({ seed: 1, today: '2026-02-30' })).toThrow(/today/);
    // before the list's last change (an item taken off at the end of 2025)
    expect(() => generateDemoDataset({ seed: 1, today: '2025-06-30' })).toThrow(/today/);
  });

  test('generating writes nothing anywhere (the records hold identity numbers)', () => {
    const writes: unknown[] = [];
    const spies = [
      ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
        jest.spyOn(console, m).mockImplementation((...args: unknown[]) => void writes.push(args)),
      ),
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (writes.push(chunk), true)),
      jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (writes.push(chunk), true)),
    ];
    try {
      generateDemoDataset({ seed: 7, scale: 2 });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(writes.length).toBe(0);
  });
});

describe('validity', () => {
  test.each(everyDataset())('%s: seq numbers the submissions from 1; a record is JSON.parse(body)', (_, d) => {
    expect(d.submissions.map((s) => s.seq)).toEqual(d.submissions.map((_s, i) => i + 1));
    const mismatched = d.submissions.filter((s) => s.record !== undefined && JSON.stringify(s.record) !== s.body).map((s) => s.seq);
    expect(mismatched).toEqual([]);
  });

  test.each(everyDataset())('%s: every accepted, duplicate and superseded submission validates and comes from a registered source', (_, d) => {
    const problems = d.submissions
      .filter((s) => s.expect !== 'invalid')
      .flatMap((s) => {
        if (!s.record) return [`${s.seq}: no record`];
        const result = validateRecord(s.record);
        const errors = result.errors.map((e) => `${s.seq}: ${e.path} ${e.rule} ${e.message}`);
        // the validator's normalisation must have nothing to do: the demo sends clean records
        const changes = result.normalised.map((c) => `${s.seq}: normalised ${c.path}`);
        return [...errors, ...changes, ...(isRegistered(s.record['source']) ? [] : [`${s.seq}: unregistered source`])];
      });
    expect(problems).toEqual([]);
  });

  test.each(everyDataset())('%s: every invalid submission fails, for the reason it states', (_, d) => {
    const problems: string[] = [];
    for (const s of d.submissions.filter((x) => x.expect === 'invalid')) {
      switch (s.reason) {
        case 'malformed-json':
          if (s.record !== undefined) problems.push(`${s.seq}: malformed JSON with a record`);
          expect(() => JSON.parse(s.body) as unknown).toThrow(SyntaxError);
          break;
        case 'unknown-source':
          // a well-formed record: only the topology's source registry rejects it
          if (!validateRecord(s.record).valid) problems.push(`${s.seq}: unknown-source record is invalid for another reason`);
          if (isRegistered(s.record?.['source'])) problems.push(`${s.seq}: source is registered`);
          break;
        case 'licensing-item':
          // a well-formed commitment: only the licensing-item list (wave 1) refuses it
          if (!validateRecord(s.record).valid) problems.push(`${s.seq}: licensing-item record is invalid for another reason`);
          if (!isRegistered(s.record?.['source'])) problems.push(`${s.seq}: source is not registered`);
          if (!s.record || !listRefuses(listOf(d), s.record)) problems.push(`${s.seq}: the list does not refuse it`);
          break;
        case 'uscc-check':
        case 'missing-field':
        case 'date-order': {
          const rule = QUARANTINE_OF[s.reason].rule!;
          const rules = validateRecord(s.record).errors.map((e) => e.rule);
          if (!rules.includes(rule)) problems.push(`${s.seq}: ${s.reason} without a ${rule} error (${rules.join(', ')})`);
          if (rules.some((r) => r !== rule)) problems.push(`${s.seq}: ${s.reason} has other defects too (${rules.join(', ')})`);
          break;
        }
        default:
          problems.push(`${s.seq}: unknown reason ${String(s.reason)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test.each(everyDataset())('%s: dates lie in the past where they must, times are Beijing time', (_, d) => {
    const past = ['commitmentDate', 'fulfilmentDeterminationDate', 'decisionDate', 'breachDecisionDate', 'applicationDate', 'verificationDate'];
    const problems: string[] = [];
    for (const s of d.submissions.filter((x) => x.record && x.expect !== 'invalid')) {
      const occurredAt = String(s.record!['occurredAt']);
      if (!occurredAt.endsWith('+08:00') || occurredAt.slice(0, 10) > d.today) problems.push(`${s.seq}: occurredAt ${occurredAt}`);
      const data = dataOf(s);
      for (const field of past)
        if (typeof data[field] === 'string' && (data[field] as string) > d.today) problems.push(`${s.seq}: ${field} ${String(data[field])}`);
      const licence = data['licence'] as Json | undefined;
      if (licence && (licence['decisionDate'] as string) > d.today) problems.push(`${s.seq}: licence.decisionDate`);
    }
    expect(problems).toEqual([]);
  });

  test('another day still gives valid records, all dated before it', () => {
    const d = generateDemoDataset({ seed: 5, today: '2027-03-31' });
    const problems = d.submissions
      .filter((s) => s.expect !== 'invalid')
      .flatMap((s) => [
        ...validateRecord(s.record).errors.map((e) => `${s.seq}: ${e.path} ${e.rule}`),
        ...(String(s.record!['occurredAt']).slice(0, 10) > d.today ? [`${s.seq}: future`] : []),
      ]);
    expect(problems).toEqual([]);
  });
});

describe('channels', () => {
  test.each(everyDataset())('%s: ingest only by an upstream registered for the source and record type', (_, d) => {
    const problems: string[] = [];
    for (const s of d.submissions.filter((x) => x.channel === 'ingest')) {
      const upstream = (upstreams as Record<string, { sources: readonly string[]; recordTypes: readonly string[] }>)[s.upstreamId ?? ''];
      if (!upstream) problems.push(`${s.seq}: unknown upstream ${String(s.upstreamId)}`);
      else if (!s.record) problems.push(`${s.seq}: ingest without a record`);
      else if (!upstream.sources.includes(String(s.record['source'])) || !upstream.recordTypes.includes(String(s.record['recordType']))) {
        problems.push(`${s.seq}: ${String(s.upstreamId)} may not push ${String(s.record['recordType'])} of ${String(s.record['source'])}`);
      }
    }
    expect(problems).toEqual([]);
    expect(d.submissions.filter((s) => s.channel !== 'ingest' && s.upstreamId !== undefined).map((s) => s.seq)).toEqual([]);
  });

  test.each(everyDataset())('%s: the feed carries exactly the provincial breaches; the queue what no upstream may push', (_, d) => {
    expect(sources['hlj-credit-platform']?.direction).toBe('inbound');
    const provincial = d.submissions.filter((s) => s.record?.['source'] === 'hlj-credit-platform');
    expect(provincial.length).toBeGreaterThan(0);
    expect(provincial.filter((s) => s.channel !== 'feed').map((s) => s.seq)).toEqual([]);
    expect(
      d.submissions
        .filter((s) => s.channel === 'feed' && (s.record?.['source'] !== 'hlj-credit-platform' || s.record['recordType'] !== 'breach'))
        .map((s) => s.seq),
    ).toEqual([]);
    const pushable = (r: Json): boolean =>
      Object.entries(upstreams).some(
        ([id, u]) =>
          id !== 'hlj-credit-platform' &&
          (u.sources as readonly string[]).includes(String(r['source'])) &&
          (u.recordTypes as readonly string[]).includes(String(r['recordType'])),
      );
    const queued = d.submissions.filter((s) => s.channel === 'queue');
    expect(queued.filter((s) => s.record !== undefined && pushable(s.record)).map((s) => s.seq)).toEqual([]);
    // the queue sees both kinds of traffic: text no upstream sends, and records of a department system
    expect(queued.some((s) => s.reason === 'malformed-json')).toBe(true);
    expect(queued.some((s) => s.expect === 'accepted')).toBe(true);
  });
});

describe('expectations', () => {
  test.each(everyDataset())("%s: the intake's revision guard produces exactly the expected outcome of every submission", (_, d) => {
    const model = intakeModel(d.submissions);
    const wrong = d.submissions.flatMap((s, i) => (model[i] === s.expect ? [] : [`${s.seq}: expected ${s.expect}, intake gives ${String(model[i])}`]));
    expect(wrong).toEqual([]);
  });

  test.each(everyDataset())(
    '%s: a superseded submission follows a newer revision of its record, a duplicate an identical submission, both ≥ 10 positions earlier',
    (_, d) => {
      const problems: string[] = [];
      d.submissions.forEach((s, i) => {
        const before = d.submissions.slice(0, Math.max(0, i - 9));
        if (s.expect === 'superseded') {
          const newer = before.find(
            (e) => e.expect === 'accepted' && keyOf(e.record!) === keyOf(s.record!) && (e.record!['revision'] as number) > (s.record!['revision'] as number),
          );
          if (!newer) problems.push(`${s.seq}: superseded without a newer revision 10 or more positions earlier`);
        }
        if (s.expect === 'duplicate') {
          const original = before.find((e) => e.expect === 'accepted' && e.body === s.body && e.channel === s.channel);
          if (!original) problems.push(`${s.seq}: duplicate without an identical accepted submission 10 or more positions earlier`);
        }
      });
      expect(problems).toEqual([]);
    },
  );

  test.each(everyDataset())('%s: the counts of the facts are the counts of the submissions', (_, d) => {
    const count = (e: Expectation): number => d.submissions.filter((s) => s.expect === e).length;
    expect(count('invalid')).toBe(d.facts.invalid);
    expect(count('duplicate')).toBe(d.facts.duplicates);
    expect(count('superseded')).toBe(d.facts.outOfOrder);
    expect(d.submissions.length).toBe(d.facts.submissions);
    const districtBreaches = ofType(accepted(d), 'breach', 'hrbxq-enforcement');
    expect(districtBreaches.length).toBe(d.facts.breaches);
    expect(ofType(accepted(d), 'breach', 'hlj-credit-platform').length).toBe(d.facts.inboundBreaches);
    expect(ofType(accepted(d), 'repair').length).toBe(d.facts.repairs);
    const firstRevisions = d.submissions.filter(
      (s) => s.expect !== 'invalid' && s.expect !== 'duplicate' && s.record!['recordType'] === 'commitment' && s.record!['revision'] === 1,
    );
    expect(firstRevisions.filter((s) => s.record!['source'] === 'hrbxq-approval').length).toBe(d.facts.commitments);
    expect(firstRevisions.filter((s) => s.record!['source'] === 'hrb-credit-repair').length).toBe(d.facts.repairCommitments);
    for (const tier of ['轻微', '一般', '严重'] as const)
      expect(districtBreaches.filter((s) => dataOf(s)['severity'] === tier).length).toBe(d.facts.breachesBySeverity[tier]);
    expect(districtBreaches.filter((s) => dataOf(s)['brokenCommitmentCode'] !== undefined).length).toBe(d.facts.brokenCommitments);
    const exemptions = ofType(accepted(d), 'nonPenalty', 'hrbxq-enforcement');
    expect(exemptions.length).toBe(d.facts.nonPenalties);
    expect(exemptions.filter((s) => dataOf(s)['ground'] === '首违不罚').length).toBe(d.facts.firstOffenceExemptions);
  });
});

describe('scale 1: the reform as reported', () => {
  test('the catalogue: 59 licensing items of 14 departments', () => {
    expect(one.facts.licensingItems).toBe(59);
    expect(one.facts.departments).toBe(14);
    expect(LICENSING_ITEMS).toHaveLength(59);
    expect(DEPARTMENTS).toHaveLength(14);
    expect(new Set(LICENSING_ITEMS.map((i) => i.code)).size).toBe(59);
    expect(new Set(LICENSING_ITEMS.map((i) => i.name)).size).toBe(59);
    expect(new Set(LICENSING_ITEMS.map((i) => i.department))).toEqual(new Set(DEPARTMENTS.map((d) => d.name)));
    for (const item of LICENSING_ITEMS) expect(item.code).toMatch(/^[0-9A-Z]{6,64}$/);
  });

  test('108 enterprises, each with a commitment for a catalogue item; individual businesses have 92 codes', () => {
    expect(one.facts.enterprises).toBe(108);
    const licensing = ofType(
      one.submissions.filter((s) => s.expect !== 'invalid'),
      'commitment',
      'hrbxq-approval',
    );
    const market = licensing.filter((s) => (dataOf(s)['party'] as Json)['category'] !== '自然人');
    expect(new Set(market.map((s) => (dataOf(s)['party'] as Json)['uscc'])).size).toBe(108);
    const individual = market.filter((s) => (dataOf(s)['party'] as Json)['category'] === '个体工商户');
    expect(individual.length).toBeGreaterThan(0);
    expect(individual.every((s) => String((dataOf(s)['party'] as Json)['uscc']).startsWith('92'))).toBe(true);
    expect(one.facts.individualBusinesses).toBe(new Set(individual.map((s) => (dataOf(s)['party'] as Json)['uscc'])).size);
    const badItems = licensing.filter((s) => {
      const ref = dataOf(s)['licensingItem'] as Json | undefined;
      const item = LICENSING_ITEMS.find((i) => i.code === ref?.['itemCode']);
      return !item || item.name !== ref?.['itemName'] || ref?.['department'] !== DEPARTMENTS.find((d) => d.name === item.department)?.unit;
    });
    expect(badItems.map((s) => s.seq)).toEqual([]);
    // natural persons commit too (the schema allows it), identified by a valid identity number
    expect(licensing.some((s) => (dataOf(s)['party'] as Json)['category'] === '自然人')).toBe(true);
  });

  test('commitment types are mostly 审批替代型; all three publication types occur', () => {
    const firsts = ofType(
      one.submissions.filter((s) => s.expect !== 'invalid' && s.expect !== 'duplicate' && s.record!['revision'] === 1),
      'commitment',
      'hrbxq-approval',
    );
    const types = firsts.map((s) => dataOf(s)['commitmentType']);
    expect(types.filter((t) => t === '审批替代型').length / types.length).toBeGreaterThan(0.8);
    expect(new Set(types).size).toBeGreaterThanOrEqual(3);
    const publications = new Set(firsts.map((s) => dataOf(s)['publicationType']));
    expect(publications).toEqual(new Set(['可向社会公开', '特定范围内公开', '不可公开']));
  });

  test('about 2 % of commitments broken and penalised, every tier present; 98 % of verified commitments kept', () => {
    const { facts } = one;
    for (const tier of ['轻微', '一般', '严重'] as const) expect(facts.breachesBySeverity[tier]).toBeGreaterThanOrEqual(1);
    // the three tiers need three broken commitments: at 132 commitments that is 2.3 %, not 2 %
    expect(facts.brokenCommitments).toBeGreaterThanOrEqual(3);
    expect(facts.brokenCommitments).toBeLessThanOrEqual(4);
    // most commitments are verified; the keeping rate is kept ÷ verified
    expect(facts.verified / facts.commitments).toBeGreaterThan(0.8);
    expect(facts.commitmentKeepingRate).toBeGreaterThanOrEqual(0.97);
    expect(facts.commitmentKeepingRate).toBeLessThanOrEqual(0.99);
  });

  test('dishonesty is mostly minor: 轻微 is the commonest tier, shared but not published unless the department asked', () => {
    const { facts } = one;
    const minor = facts.breachesBySeverity['轻微'];
    expect(minor).toBeGreaterThanOrEqual(facts.breachesBySeverity['一般']);
    expect(minor).toBeGreaterThan(facts.breachesBySeverity['严重']);
    const district = ofType(accepted(one), 'breach', 'hrbxq-enforcement').map(dataOf);
    const requested = district.filter((b) => b['publicationRequested'] === true);
    expect(requested.length).toBe(facts.publishedMinorBreaches);
    expect(requested.length).toBeGreaterThanOrEqual(1);
    expect(requested.length).toBeLessThan(minor);
    expect(requested.every((b) => b['severity'] === '轻微')).toBe(true);
    // one publication ends on the dataset's day: the next day the expiry sweep ends it
    expect(facts.publicationsEndingToday).toBeGreaterThanOrEqual(1);
    expect(requested.some((b) => b['publicationEndDate'] === one.today)).toBe(true);
  });

  test('each broken commitment is penalised after the commitment of the same party, with penalties by tier', () => {
    const problems: string[] = [];
    const breaches = ofType(accepted(one), 'breach', 'hrbxq-enforcement').filter((s) => dataOf(s)['brokenCommitmentCode'] !== undefined);
    expect(breaches.length).toBe(one.facts.brokenCommitments);
    for (const b of breaches) {
      const data = dataOf(b);
      const earlier = one.submissions.slice(0, b.seq - 1).filter((s) => s.expect === 'accepted' && s.record?.['recordType'] === 'commitment');
      const commitment = earlier.find((s) => dataOf(s)['commitmentCode'] === data['brokenCommitmentCode']);
      if (!commitment) problems.push(`${b.seq}: broken commitment not submitted before`);
      else if (JSON.stringify(dataOf(commitment)['party']) !== JSON.stringify(data['party'])) problems.push(`${b.seq}: party differs from the commitment's`);
      const categories = data['penaltyCategories'] as string[];
      const fine = data['fineAmount'] as number | undefined;
      // CF_NR_FK: the fine is in 10,000 yuan, and the decision text states it in yuan
      if (fine !== undefined && !String(data['penaltyContent']).includes(`${Math.round(fine * 10_000)}元`))
        problems.push(`${b.seq}: fine ${fine} (10k yuan) not the amount stated`);
      if (data['severity'] === '严重' && !(categories.includes('吊销许可证件') && (data['blackPoints'] as number) >= 20))
        problems.push(`${b.seq}: serious breach without revocation and heavy black points`);
      if (data['severity'] === '一般' && !(categories.includes('罚款') && (data['blackPoints'] as number) > 0))
        problems.push(`${b.seq}: general breach without a fine`);
    }
    expect(problems).toEqual([]);
  });

  test('a first-offence exemption is a non-penalty decision: no penalty, no points, its commitment corrected and kept', () => {
    const exempt = ofType(accepted(one), 'nonPenalty', 'hrbxq-enforcement');
    expect(exempt.length).toBeGreaterThanOrEqual(1);
    for (const s of exempt) {
      const data = dataOf(s);
      expect(data['ground']).toBe('首违不罚');
      for (const field of ['penaltyCategories', 'fineAmount', 'blackPoints', 'severity']) expect(data).not.toHaveProperty(field);
      const revisions = ofType(accepted(one), 'commitment').filter((c) => dataOf(c)['commitmentCode'] === data['relatedCommitmentCode']);
      expect(revisions.length).toBeGreaterThanOrEqual(2);
      expect(dataOf(revisions.at(-1)!)['fulfilmentStatus']).toBe('全部履行');
    }
    // never a breach
    expect(ofType(accepted(one), 'breach').filter((s) => String(dataOf(s)['decisionNumber']).includes('不罚')).length).toBe(0);
  });

  test("each repair follows the accepted breach it repairs, is decided by that breach's authority, applied for through Credit China", () => {
    const repairs = ofType(accepted(one), 'repair');
    expect(repairs.length).toBeGreaterThanOrEqual(1);
    const problems: string[] = [];
    for (const r of repairs) {
      const data = dataOf(r);
      const earlier = one.submissions.slice(0, r.seq - 1).filter((s) => s.expect === 'accepted');
      const breach = earlier.find(
        (s) => s.record!['recordType'] === 'breach' && s.record!['recordId'] === data['breachRecordId'] && s.record!['source'] === data['breachSource'],
      );
      if (!breach) {
        problems.push(`${r.seq}: breach ${String(data['breachRecordId'])} not accepted before the repair`);
        continue;
      }
      const b = dataOf(breach);
      if (b['decisionNumber'] !== data['breachDecisionNumber'] || b['decisionDate'] !== data['breachDecisionDate'] || b['severity'] !== data['severity'])
        problems.push(`${r.seq}: breach facts differ`);
      if (JSON.stringify(b['party']) !== JSON.stringify(data['party'])) problems.push(`${r.seq}: party differs from the breach's`);
      if (b['authorityUscc'] !== data['handlingUnitUscc'] || b['authority'] !== data['handlingUnit'])
        problems.push(`${r.seq}: not decided by the breach's authority`);
      if (data['applicationChannel'] !== '信用中国') problems.push(`${r.seq}: not applied for through Credit China`);
      if (data['outcome'] === '同意') {
        if (data['method'] !== '终止公示') problems.push(`${r.seq}: a penalty repaired otherwise than by 终止公示`);
        const promise = earlier.find((s) => s.record!['recordType'] === 'commitment' && dataOf(s)['commitmentCode'] === data['repairCommitmentCode']);
        if (!promise || dataOf(promise)['commitmentType'] !== '信用修复型')
          problems.push(`${r.seq}: no earlier 信用修复型 commitment ${String(data['repairCommitmentCode'])}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('inbound breaches carry no black points: the district assigns its own on receipt', () => {
    const inbound = ofType(accepted(one), 'breach', 'hlj-credit-platform');
    expect(inbound.length).toBe(one.facts.inboundBreaches);
    expect(inbound.filter((s) => dataOf(s)['blackPoints'] !== undefined).map((s) => s.seq)).toEqual([]);
  });

  test('inbound breaches, invalid submissions, duplicates, out-of-order revisions and withdrawals are all present', () => {
    const { facts, submissions } = one;
    expect(facts.inboundBreaches).toBeGreaterThanOrEqual(3);
    expect(facts.inboundBreaches).toBeLessThanOrEqual(5);
    expect(facts.invalid).toBeGreaterThanOrEqual(3);
    expect(facts.invalid).toBeLessThanOrEqual(6);
    expect(new Set(submissions.filter((s) => s.expect === 'invalid').map((s) => s.reason))).toEqual(new Set(INVALID_REASONS));
    for (const share of [facts.duplicates / facts.submissions, facts.outOfOrder / facts.submissions]) {
      expect(share).toBeGreaterThanOrEqual(0.05);
      expect(share).toBeLessThanOrEqual(0.1);
    }
    // out of order: a commitment's fulfilment revision overtaking its first revision
    expect(submissions.filter((s) => s.expect === 'superseded').every((s) => s.record!['recordType'] === 'commitment' && s.record!['revision'] === 1)).toBe(
      true,
    );
    // a retraction (entered in error) is a withdraw; a cancelled licence is a change of status (an upsert)
    const withdrawals = accepted(one).filter((s) => s.record!['operation'] === 'withdraw');
    expect(withdrawals.length).toBe(facts.withdrawals);
    expect(withdrawals.length).toBeGreaterThanOrEqual(1);
    const cancelled = accepted(one).filter((s) => s.record!['operation'] === 'upsert' && (dataOf(s)['licence'] as Json | undefined)?.['status'] === '注销');
    expect(cancelled.length).toBe(facts.cancellations);
    expect(cancelled.length).toBeGreaterThanOrEqual(1);
  });
});

describe('scale 10', () => {
  test('at least 2,000 submissions, ten times the population', () => {
    expect(ten.submissions.length).toBeGreaterThanOrEqual(2000);
    expect(ten.facts.enterprises).toBe(1080);
    expect(ten.facts.licensingItems).toBe(59);
    expect(ten.facts.departments).toBe(14);
  });

  test('keeps the ratios of scale 1', () => {
    const f = ten.facts;
    const o = one.facts;
    const near = (actual: number, expected: number, tolerance: number): void => {
      expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance);
    };
    near(f.commitments / f.enterprises, o.commitments / o.enterprises, 0.02);
    near(f.breachRate, 0.02, 0.002);
    near(f.commitmentKeepingRate, 0.98, 0.003);
    near(f.duplicates / f.submissions, o.duplicates / o.submissions, 0.01);
    near(f.outOfOrder / f.submissions, o.outOfOrder / o.submissions, 0.01);
    near(f.inboundBreaches / f.commitments, o.inboundBreaches / o.commitments, 0.005);
    near(f.invalid / f.commitments, o.invalid / o.commitments, 0.005);
    near(f.fulfilmentUpdates / f.commitments, o.fulfilmentUpdates / o.commitments, 0.02);
    for (const tier of ['轻微', '一般', '严重'] as const) expect(f.breachesBySeverity[tier]).toBeGreaterThanOrEqual(1);
    expect(f.firstOffenceExemptions).toBeGreaterThanOrEqual(1);
    expect(f.repairs / f.breaches).toBeGreaterThanOrEqual(0.5);
    near(f.breachesBySeverity['轻微'] / f.breaches, o.breachesBySeverity['轻微'] / o.breaches, 0.1);
  });
});

// ---------------------------------------------------------------- the list, verifications and the credit check

const commitmentsOf = (d: DemoDataset): DemoSubmission[] => ofType(d.submissions, 'commitment').filter((s) => s.expect !== 'invalid');
const partyOf = (s: DemoSubmission): Json => dataOf(s)['party'] as Json;
const sameParty = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
/** Granted repairs (outcome 同意) of a dataset, by the breach they name. */
const grantedRepairs = (d: DemoDataset): Map<string, Json> =>
  new Map(
    ofType(accepted(d), 'repair')
      .filter((s) => dataOf(s)['outcome'] === '同意')
      .map((s) => [`${String(dataOf(s)['breachSource'])}/${String(dataOf(s)['breachRecordId'])}`, dataOf(s)]),
  );
const refOf = (s: DemoSubmission): string => `${String(s.record!['source'])}/${String(s.record!['recordId'])}`;
const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('the catalogue as a licensing-item list', () => {
  test('every item states what a licensingItem record needs', () => {
    const problems: string[] = [];
    for (const item of LICENSING_ITEMS) {
      if (item.approvalConditions.length < 10) problems.push(`${item.code}: approvalConditions`);
      if (!item.legalBasis.includes(item.regulation)) problems.push(`${item.code}: legalBasis does not cite the item's regulation`);
      if (item.commitmentMaterials.length < 1 || item.commitmentMaterials.length > 4)
        problems.push(`${item.code}: ${item.commitmentMaterials.length} materials`);
      if (![30, 60, 90, 180].includes(item.commitmentTimeLimitDays)) problems.push(`${item.code}: time limit ${item.commitmentTimeLimitDays}`);
      if (item.allowedCommitmentTypes.length === 0 || item.verificationMethods.length === 0) problems.push(`${item.code}: no types or methods`);
      if (item.departmentUscc !== DEPARTMENTS.find((d) => d.name === item.department)?.uscc) problems.push(`${item.code}: departmentUscc`);
      if (item.validFrom > '2022-12-31' || item.validFrom > item.validTo) problems.push(`${item.code}: validity ${item.validFrom}–${item.validTo}`);
    }
    expect(problems).toEqual([]);
    expect(new Set(LICENSING_ITEMS.map((i) => i.commitmentTimeLimitDays))).toEqual(new Set([30, 60, 90, 180]));
  });

  test('审批替代型 for most items, some also 容缺受理型, a few 容缺受理型 only; natural persons’ items allow 证明事项型', () => {
    const types = (i: (typeof LICENSING_ITEMS)[number]): readonly string[] => i.allowedCommitmentTypes;
    expect(LICENSING_ITEMS.filter((i) => types(i).includes('审批替代型')).length).toBeGreaterThan(50);
    expect(LICENSING_ITEMS.filter((i) => types(i).includes('审批替代型') && types(i).includes('容缺受理型')).length).toBeGreaterThanOrEqual(10);
    const onlyPending = LICENSING_ITEMS.filter((i) => types(i).length === 1 && types(i)[0] === '容缺受理型');
    expect(onlyPending.length).toBeGreaterThanOrEqual(2);
    expect(onlyPending.length).toBeLessThanOrEqual(5);
    expect(LICENSING_ITEMS.filter((i) => i.holders === 'person').every((i) => types(i).includes('证明事项型'))).toBe(true);
  });

  test('one item was taken off the list (not in force on the default day); every other one runs to 2099-12-31', () => {
    const ended = LICENSING_ITEMS.filter((i) => i.validTo !== '2099-12-31');
    expect(ended.map((i) => i.name)).toEqual([OFF_LIST_ITEM.name]);
    expect(ended[0]!.validTo < DEFAULT_TODAY).toBe(true);
    expect(one.facts.licensingItemsInForce).toBe(58);
  });
});

describe('the licensing-item list is pushed first', () => {
  test.each(everyDataset())('%s: one licensingItem record per item, source hrbxq-approval, recordId the item code, as the catalogue states it', (_, d) => {
    const items = ofType(d.submissions, 'licensingItem');
    expect(items.length).toBe(LICENSING_ITEMS.length);
    expect(d.facts.licensingItemsPushed).toBe(LICENSING_ITEMS.length);
    const problems: string[] = [];
    for (const item of LICENSING_ITEMS) {
      const pushed = items.filter((s) => s.record!['recordId'] === item.code);
      const data = pushed[0] && dataOf(pushed[0]);
      if (pushed.length !== 1 || !data) {
        problems.push(`${item.code}: pushed ${pushed.length} times`);
        continue;
      }
      if (pushed[0]!.record!['source'] !== 'hrbxq-approval' || pushed[0]!.expect !== 'accepted') problems.push(`${item.code}: source or expectation`);
      const unit = DEPARTMENTS.find((dep) => dep.name === item.department)!.unit;
      const expected = [item.code, item.name, unit, item.commitmentTimeLimitDays, item.validFrom, item.validTo, JSON.stringify(item.allowedCommitmentTypes)];
      const found = [data['itemCode'], data['itemName'], data['department'], data['commitmentTimeLimitDays'], data['validFrom'], data['validTo']];
      if (JSON.stringify([...found, JSON.stringify(data['allowedCommitmentTypes'])]) !== JSON.stringify(expected))
        problems.push(`${item.code}: differs from the catalogue`);
    }
    expect(problems).toEqual([]);
  });

  test.each(everyDataset())('%s: waves follow one another; wave 1 is the list, and every item precedes every commitment', (_, d) => {
    const waves = d.submissions.map((s) => s.wave ?? 2);
    expect(waves).toEqual([...waves].sort((a, b) => a - b));
    expect(d.submissions.filter((s) => s.wave === 1).every((s) => s.record?.['recordType'] === 'licensingItem')).toBe(true);
    expect(ofType(d.submissions, 'licensingItem').every((s) => s.wave === 1)).toBe(true);
    const lastItem = Math.max(...ofType(d.submissions, 'licensingItem').map((s) => s.seq));
    const firstCommitment = Math.min(...ofType(d.submissions, 'commitment').map((s) => s.seq));
    expect(lastItem).toBeLessThan(firstCommitment);
    expect(submissionWaves(d.submissions).map((w) => w.length)).toEqual([
      d.facts.submissionsByWave[1],
      d.facts.submissionsByWave[2],
      d.facts.submissionsByWave[3],
    ]);
    expect(submissionWaves(d.submissions).flat()).toEqual(d.submissions);
  });

  test.each(everyDataset())(
    '%s: every commitment names an item in force on its date that allows its type — except the refused ones, invalid for that reason',
    (_, d) => {
      const list = listOf(d);
      const problems: string[] = [];
      for (const s of commitmentsOf(d).filter((c) => c.record!['source'] === 'hrbxq-approval')) {
        const data = dataOf(s);
        const item = list.get(String((data['licensingItem'] as Json | undefined)?.['itemCode']));
        const date = String(data['commitmentDate']);
        if (!item) problems.push(`${s.seq}: names no item of the list`);
        else if (date < String(item['validFrom']) || date > String(item['validTo'])) problems.push(`${s.seq}: item not in force on ${date}`);
        // 其他 (并联审批) names its item too, but no list states that type
        else if (data['commitmentType'] !== '其他' && !(item['allowedCommitmentTypes'] as unknown[]).includes(data['commitmentType']))
          problems.push(`${s.seq}: ${String(data['commitmentType'])} not allowed`);
      }
      expect(problems).toEqual([]);
      const refused = d.submissions.filter((s) => s.reason === 'licensing-item');
      expect(refused.length).toBe(d.facts.refusedForLicensingItem);
      expect(refused.map((s) => String(s.record!['recordId'])).sort()).toEqual(d.facts.scenarios.refused.map((r) => r.recordId).sort());
      expect(refused.every((s) => s.expect === 'invalid' && s.wave === 2 && listRefuses(list, s.record!))).toBe(true);
      expect(QUARANTINE_OF['licensing-item']).toEqual({ reason: 'invalid', rule: 'licensingItem' });
    },
  );

  test('(e) at scale 1 a commitment for the item taken off the list, dated after its end, is refused; at scale 10 one of a type its item does not allow too', () => {
    const [refused] = one.facts.scenarios.refused;
    expect(one.facts.scenarios.refused).toHaveLength(1);
    expect(refused!.why).toBe('notInForce');
    const offList = LICENSING_ITEMS.find((i) => i.name === OFF_LIST_ITEM.name)!;
    expect(refused!.itemCode).toBe(offList.code);
    const submission = one.submissions.find((s) => s.record?.['recordId'] === refused!.recordId)!;
    expect(String(dataOf(submission)['commitmentDate']) > offList.validTo).toBe(true);
    expect(dataOf(submission)['commitmentCode']).toBe(refused!.commitmentCode);
    expect(new Set(ten.facts.scenarios.refused.map((r) => r.why))).toEqual(new Set(['notInForce', 'typeNotAllowed']));
    for (const r of ten.facts.scenarios.refused.filter((x) => x.why === 'typeNotAllowed')) {
      const item = LICENSING_ITEMS.find((i) => i.code === r.itemCode)!;
      expect(item.allowedCommitmentTypes).not.toContain('审批替代型');
    }
  });
});

describe('verifications', () => {
  test.each(everyDataset())(
    '%s: each commitment whose fulfilment was determined has one verification of the same party, date and result; 部分履行/全部未履行 with a rectification deadline',
    (_, d) => {
      const verifications = ofType(accepted(d), 'verification');
      expect(verifications.length).toBe(d.facts.verifications);
      expect(verifications.every((s) => /^HC-\d{4}-\d{6}$/.test(String(s.record!['recordId'])) && s.record!['source'] === 'hrbxq-approval')).toBe(true);
      const byCode = new Map<string, DemoSubmission[]>();
      for (const v of verifications) byCode.set(String(dataOf(v)['commitmentCode']), [...(byCode.get(String(dataOf(v)['commitmentCode'])) ?? []), v]);
      // the newest revision of each commitment
      const latest = new Map<string, DemoSubmission>();
      for (const c of ofType(accepted(d), 'commitment')) {
        const code = String(dataOf(c)['commitmentCode']);
        const held = (latest.get(code)?.record!['revision'] as number | undefined) ?? 0;
        if (held < (c.record!['revision'] as number)) latest.set(code, c);
      }
      const problems: string[] = [];
      const status: Record<string, string> = { 全部履行: '全部履行', 部分履行: '部分履行', 全部未履行: '全部未履行', 虚假承诺: '全部未履行' };
      for (const [code, c] of latest) {
        const vs = byCode.get(code) ?? [];
        const data = dataOf(c);
        if (data['fulfilmentStatus'] === undefined) {
          if (vs.length > 0) problems.push(`${code}: verified but no fulfilment stated`);
          continue;
        }
        if (vs.length !== 1) {
          problems.push(`${code}: ${vs.length} verifications`);
          continue;
        }
        const v = dataOf(vs[0]!);
        if (!sameParty(v['party'], data['party'])) problems.push(`${code}: party differs`);
        if (v['verificationDate'] !== data['fulfilmentDeterminationDate'] || String(v['verificationDate']) < String(data['commitmentDate']))
          problems.push(`${code}: verification date`);
        if (status[String(v['result'])] !== data['fulfilmentStatus']) problems.push(`${code}: ${String(v['result'])} vs ${String(data['fulfilmentStatus'])}`);
        if ((v['rectificationDeadline'] !== undefined) !== (v['result'] === '部分履行' || v['result'] === '全部未履行'))
          problems.push(`${code}: rectification`);
        if (v['determiningUnit'] !== data['fulfilmentDeterminationUnit']) problems.push(`${code}: determining unit`);
      }
      expect(problems).toEqual([]);
      expect(verifications.filter((v) => !latest.has(String(dataOf(v)['commitmentCode']))).map((v) => v.seq)).toEqual([]);
    },
  );

  test.each(everyDataset())('%s: mostly 全部履行, every result present at scale 1; counted by result in the facts', (_, d) => {
    const results = ofType(accepted(d), 'verification').map((s) => String(dataOf(s)['result']));
    for (const r of VERIFICATION_RESULTS) {
      expect(results.filter((x) => x === r).length).toBe(d.facts.verificationsByResult[r]);
      expect(d.facts.verificationsByResult[r]).toBeGreaterThanOrEqual(1);
    }
    expect(d.facts.verificationsByResult['全部履行'] / results.length).toBeGreaterThan(0.9);
  });

  test.each(everyDataset())('%s: a 虚假承诺 is followed by its breach: brokenCommitmentCode the commitment, the same party, decided later', (_, d) => {
    const breaches = ofType(accepted(d), 'breach');
    const problems: string[] = [];
    for (const v of ofType(accepted(d), 'verification').filter((s) => dataOf(s)['result'] === '虚假承诺')) {
      const breach = breaches.find((b) => b.seq > v.seq && dataOf(b)['brokenCommitmentCode'] === dataOf(v)['commitmentCode']);
      if (!breach) problems.push(`${v.seq}: no breach follows`);
      else if (!sameParty(partyOf(breach), partyOf(v)) || String(dataOf(breach)['decisionDate']) < String(dataOf(v)['verificationDate']))
        problems.push(`${v.seq}: breach of another party or decided earlier`);
    }
    expect(problems).toEqual([]);
  });

  test.each(everyDataset())('%s: some commitments are overdue on the dataset’s day (unverified past their deadline), some not due yet', (_, d) => {
    const list = listOf(d);
    const verified = new Set(ofType(accepted(d), 'verification').map((s) => String(dataOf(s)['commitmentCode'])));
    const withdrawn = new Set(
      ofType(accepted(d), 'commitment')
        .filter((s) => s.record!['operation'] === 'withdraw')
        .map((s) => String(dataOf(s)['commitmentCode'])),
    );
    let overdue = 0;
    let notDue = 0;
    for (const s of ofType(accepted(d), 'commitment', 'hrbxq-approval').filter((c) => c.record!['revision'] === 1)) {
      const data = dataOf(s);
      const code = String(data['commitmentCode']);
      if (verified.has(code) || withdrawn.has(code)) continue;
      const item = list.get(String((data['licensingItem'] as Json)['itemCode']))!;
      const deadline = addDays(String(data['commitmentDate']), item['commitmentTimeLimitDays'] as number);
      if (deadline < d.today) overdue++;
      else notDue++;
    }
    expect(overdue).toBe(d.facts.overdueCommitments);
    expect(notDue).toBe(d.facts.notYetDueCommitments);
    expect(overdue).toBeGreaterThanOrEqual(1);
    expect(notDue).toBeGreaterThanOrEqual(1);
  });

  test('a few entries for `credex overdue` on DEFAULT_TODAY at scale 1', () => {
    expect(one.today).toBe(DEFAULT_TODAY);
    expect(one.facts.overdueCommitments).toBeGreaterThanOrEqual(2);
    expect(one.facts.overdueCommitments).toBeLessThanOrEqual(15);
  });
});

describe('the credit check’s scenarios', () => {
  /** Whether a subject has a 严重 breach decided on or before `day` that no repair granted on or before `day` ended. */
  const openSerious = (d: DemoDataset, uscc: string, day: string): boolean => {
    const granted = grantedRepairs(d);
    return ofType(accepted(d), 'breach').some(
      (b) =>
        partyOf(b)['uscc'] === uscc &&
        dataOf(b)['severity'] === '严重' &&
        String(dataOf(b)['decisionDate']) <= day &&
        !(granted.has(refOf(b)) && String(granted.get(refOf(b))!['decisionDate']) <= day),
    );
  };

  test.each(everyDataset())(
    '%s: (a) a district company with an unrepaired 严重 breach from the province commits afterwards, in wave 3: that commitment alone is flagged',
    (_, d) => {
      const a = d.facts.scenarios.ineligible;
      const breach = d.submissions.find((s) => s.record?.['recordId'] === a.feedBreachRecordId)!;
      expect(breach.channel).toBe('feed');
      expect(breach.expect).toBe('accepted');
      expect(breach.record!['source']).toBe('hlj-credit-platform');
      expect(dataOf(breach)['severity']).toBe('严重');
      expect(partyOf(breach)['uscc']).toBe(a.uscc);
      expect(partyOf(breach)['category']).toBe('法人及非法人组织');
      expect(grantedRepairs(d).has(refOf(breach))).toBe(false);
      const commitment = d.submissions.find((s) => s.record?.['recordId'] === a.commitmentRecordId)!;
      expect(commitment.wave).toBe(3);
      expect(commitment.seq).toBeGreaterThan(breach.seq);
      expect(commitment.expect).toBe('accepted');
      expect(sameParty(partyOf(commitment), partyOf(breach))).toBe(true);
      expect(dataOf(commitment)['commitmentCode']).toBe(a.commitmentCode);
      expect(dataOf(commitment)['commitmentType']).toBe('审批替代型');
      expect(String(dataOf(commitment)['commitmentDate']) > String(dataOf(breach)['decisionDate'])).toBe(true);
      expect(openSerious(d, a.uscc, a.commitmentDate)).toBe(true);
      expect(a.eligibility).toBe('notEligible');
      // wave 3 holds that commitment only, and it is the one commitment of the reform intake flags
      expect(d.submissions.filter((s) => s.wave === 3).map((s) => s.seq)).toEqual([commitment.seq]);
      expect(d.facts.flaggedCommitments).toContain(a.commitmentCode);
    },
  );

  test.each(everyDataset())(
    '%s: flagged is (a)’s commitment alone — no other 告知承诺 commitment of a subject with an open 严重 breach; credit-repair commitments made then are not flagged',
    (_, d) => {
      // each commitment once (any accepted revision: its party and date never change; a revision 1 may be superseded)
      const firsts = [...new Map(ofType(accepted(d), 'commitment').map((s) => [String(dataOf(s)['commitmentCode']), s])).values()];
      expect(firsts.length).toBe(d.facts.commitments + d.facts.repairCommitments);
      const whileOpen = firsts
        .filter((s) => typeof partyOf(s)['uscc'] === 'string')
        .filter((s) => openSerious(d, String(partyOf(s)['uscc']), String(dataOf(s)['commitmentDate'])));
      const reform = whileOpen.filter((s) => s.record!['source'] === 'hrbxq-approval').map((s) => String(dataOf(s)['commitmentCode']));
      expect(reform).toEqual([d.facts.scenarios.ineligible.commitmentCode]);
      expect(d.facts.flaggedCommitments).toEqual(reform);
      // the repaired subject made its credit-repair commitment while its breach was open: not flagged
      const repairs = whileOpen.filter((s) => dataOf(s)['commitmentType'] === '信用修复型');
      expect(repairs.length).toBeGreaterThanOrEqual(1);
      expect(whileOpen.length).toBe(reform.length + repairs.length);
    },
  );

  test.each(everyDataset())('%s: (b) a 严重 penalty repaired (同意): its subject eligible again, with no black points, nothing else against it', (_, d) => {
    const b = d.facts.scenarios.repaired!;
    expect(b).toBeDefined();
    const breach = d.submissions.find((s) => s.record?.['recordId'] === b.breachRecordId && s.record['recordType'] === 'breach')!;
    const repair = d.submissions.find((s) => s.record?.['recordId'] === b.repairRecordId)!;
    expect(b.severity).toBe('严重');
    expect(dataOf(breach)['severity']).toBe('严重');
    expect(partyOf(breach)['uscc']).toBe(b.uscc);
    expect(repair.expect).toBe('accepted');
    expect(repair.seq).toBeGreaterThan(breach.seq);
    expect(dataOf(repair)['outcome']).toBe('同意');
    expect(dataOf(repair)['breachRecordId']).toBe(b.breachRecordId);
    expect(String(dataOf(repair)['decisionDate']) > b.breachDecisionDate).toBe(true);
    expect(openSerious(d, b.uscc, b.breachDecisionDate)).toBe(true);
    expect(openSerious(d, b.uscc, d.today)).toBe(false);
    // nothing else against it: no other breach, no verification that found a commitment not kept
    expect(ofType(accepted(d), 'breach').filter((x) => partyOf(x)['uscc'] === b.uscc)).toEqual([breach]);
    const notKept = ofType(accepted(d), 'verification').filter((v) => partyOf(v)['uscc'] === b.uscc && dataOf(v)['result'] !== '全部履行');
    expect(notKept).toEqual([]);
    expect(b.eligibility).toBe('eligible');
    expect(b.blackPoints).toBe(0);
  });

  test.each(everyDataset())('%s: (c) red points: subjects with commitments verified kept', (_, d) => {
    const c = d.facts.scenarios.redPoints;
    const kept = ofType(accepted(d), 'verification').filter((v) => dataOf(v)['result'] === '全部履行');
    expect(c.subjects).toBe(new Set(kept.map((v) => JSON.stringify(partyOf(v)))).size);
    expect(c.subjects).toBeGreaterThan(d.facts.enterprises / 2);
    expect(kept.filter((v) => partyOf(v)['uscc'] === c.example.uscc).length).toBe(c.example.keptCommitments);
    expect(c.example.redPoints).toBeGreaterThanOrEqual(creditPolicy.red.keptCommitment);
    expect(c.example.redPoints).toBeLessThanOrEqual(c.example.keptCommitments * creditPolicy.red.keptCommitment);
  });

  test.each(everyDataset())('%s: (d) one legal representative of two companies that both have breaches, none repaired: his points add up', (_, d) => {
    const p = d.facts.scenarios.responsiblePerson;
    expect(new Set(p.companies).size).toBe(2);
    expect(p.breachRecordIds).toHaveLength(2);
    const breaches = p.breachRecordIds.map((id) => d.submissions.find((s) => s.record?.['recordType'] === 'breach' && s.record['recordId'] === id)!);
    expect(breaches.map((b) => partyOf(b)['uscc'])).toEqual(p.companies);
    const [first, second] = breaches.map(partyOf) as [Json, Json];
    // the same identity document, compared, never printed
    expect(typeof first['legalRepIdNumber'] === 'string' && first['legalRepIdNumber'] === second['legalRepIdNumber']).toBe(true);
    expect(first['legalRepIdType'] === second['legalRepIdType'] && first['legalRepresentative'] === second['legalRepresentative']).toBe(true);
    expect(breaches.every((b) => b.expect === 'accepted' && !grantedRepairs(d).has(refOf(b)))).toBe(true);
    const points = (b: DemoSubmission): number =>
      (dataOf(b)['blackPoints'] as number | undefined) ?? creditPolicy.black.bySeverity[dataOf(b)['severity'] as Severity];
    const each = breaches.map(points);
    expect(p.blackPoints).toBe((each[0]! + each[1]!) * creditPolicy.black.responsiblePersonShare);
    expect(p.blackPoints).toBeGreaterThan(Math.max(...each));
    // every breach naming him is one of the two
    const his = ofType(accepted(d), 'breach').filter((b) => partyOf(b)['legalRepIdNumber'] === first['legalRepIdNumber']);
    expect(his.map((b) => b.record!['recordId'])).toEqual(expect.arrayContaining(p.breachRecordIds));
    expect(his).toHaveLength(2);
  });

  test.each(everyDataset())('%s: the false commitment: verification 虚假承诺, its breach unrepaired, the subject notEligible', (_, d) => {
    const f = d.facts.scenarios.falseCommitment;
    const verification = d.submissions.find((s) => s.record?.['recordId'] === f.verificationRecordId)!;
    const breach = d.submissions.find((s) => s.record?.['recordType'] === 'breach' && s.record['recordId'] === f.breachRecordId)!;
    expect(dataOf(verification)['result']).toBe('虚假承诺');
    expect(dataOf(verification)['commitmentCode']).toBe(f.commitmentCode);
    expect(dataOf(breach)['brokenCommitmentCode']).toBe(f.commitmentCode);
    expect(partyOf(breach)['uscc']).toBe(f.uscc);
    expect(grantedRepairs(d).has(refOf(breach))).toBe(false);
    expect(f.eligibility).toBe('notEligible');
  });

  test.each(everyDataset())('%s: the facts hold no identity number and no natural person’s name', (_, d) => {
    const personal = new Set<string>();
    for (const s of d.submissions.filter((x) => x.record)) {
      const party = (dataOf(s)['party'] ?? {}) as Json;
      for (const field of ['idNumber', 'legalRepIdNumber', 'legalRepresentative']) if (typeof party[field] === 'string') personal.add(party[field]);
      if (party['category'] === '自然人' && typeof party['name'] === 'string') personal.add(party['name']);
    }
    const text = JSON.stringify(d.facts);
    expect([...personal].filter((value) => text.includes(value)).length).toBe(0);
    expect(/\d/.test(d.facts.scenarios.responsiblePerson.label)).toBe(false);
  });
});
