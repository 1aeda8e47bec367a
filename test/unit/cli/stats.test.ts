/**
 * `credex stats` counting (aggregateStats) on hand-built records, the JSON shape scripts rely on,
 * the people's rendering, and the table read (readLatestRecords) against a mocked client.
 * Records hold identity numbers: assertions never print a record.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import commitmentSchema from '../../../schemas/commitment.schema.json' with { type: 'json' };
import defsSchema from '../../../schemas/defs.schema.json' with { type: 'json' };
import nonPenaltySchema from '../../../schemas/nonPenalty.schema.json' with { type: 'json' };
import repairSchema from '../../../schemas/repair.schema.json' with { type: 'json' };
import { formatStats, parseSegments, summaryLines } from '../../../cli/commands/stats.js';
import {
  aggregateStats,
  COMMITMENT_TYPES,
  NON_PENALTY_GROUNDS,
  PUBLICATION_TYPES,
  readLatestRecords,
  REPAIR_METHODS,
  REPAIR_OUTCOMES,
  SEVERITIES,
  statsReport,
  VERIFICATION_RESULTS,
  type ScanFacts,
} from '../../../cli/operations/stats.js';
import { displayWidth } from '../../../cli/render.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { dynamoSyncState } from '../../../functions/shared/state/dynamo/index.js';
import { sources } from '../../../topology/topology.js';
import { generateDemoDataset } from '../../../local/demo/dataset.js';
import { breach, commitment, nonPenalty, repair, residentId, uscc } from '../../support/records.js';

const DAY = '2026-11-28';
const asRecord = (r: Record<string, unknown>): CreditRecord => r as unknown as CreditRecord;
const ITEM = (department = '哈尔滨新区市场监督管理局') => ({ licensingItem: { itemCode: '230109001', itemName: '食品经营许可', department } });
/** A licensing commitment with its own id and code (commitment date 2026-03-02, as the builder's). */
const commitmentNo = (serial: number, data: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}): CreditRecord =>
  asRecord(commitment({ recordId: `CMT-${serial}`, ...overrides }, { commitmentCode: codeNo(serial), ...ITEM(), ...data }));
const codeNo = (serial: number): string => `23010920260302${String(serial).padStart(6, '0')}`;
const determined = {
  fulfilmentDeterminationDate: '2026-06-01',
  fulfilmentDeterminationUnit: '哈尔滨新区市场监督管理局',
  fulfilmentDeterminationUnitUscc: uscc('11230109MB012345'),
};
const KEPT = { fulfilmentStatus: '全部履行', ...determined };
const BROKEN = { fulfilmentStatus: '部分履行', unperformedContent: '未按期具备条件', liabilityPursued: '已依法处罚', ...determined };
const breachOf = (
  serial: number,
  commitmentSerial: number | undefined,
  data: Record<string, unknown> = {},
  overrides: Record<string, unknown> = {},
): CreditRecord =>
  asRecord(
    breach(
      { recordId: `BR-${serial}`, ...overrides },
      { decisionNumber: `哈新市监罚〔2026〕${serial}号`, brokenCommitmentCode: commitmentSerial === undefined ? undefined : codeNo(commitmentSerial), ...data },
    ),
  );
const withdrawn = { operation: 'withdraw', revision: 2 };

const NATURAL_PERSON = { name: '张伟', category: '自然人', idType: '身份证', idNumber: residentId('230109', '19850612', '031') };
const OTHER_COMPANY = { name: '哈尔滨新区松北建筑工程有限公司', category: '法人及非法人组织', uscc: uscc('91230109MA1BCDF2') };
const INDIVIDUAL_BUSINESS = { name: '松北区张记小吃店', category: '个体工商户', uscc: uscc('92230109MA1BCDG3') };
const PLACEHOLDER_BUSINESS = (registrationNumber: string) => ({
  name: '松北区李记面馆',
  category: '个体工商户',
  uscc: '00000000000000000X',
  registrationNumber,
});

describe('aggregateStats: licensing commitments kept, broken and unverified', () => {
  test('kept and broken are the fulfilment determinations; the keeping rate counts verified commitments only', () => {
    const figures = aggregateStats(
      [commitmentNo(1, KEPT), commitmentNo(2, KEPT), commitmentNo(3, KEPT), commitmentNo(4, BROKEN), commitmentNo(5), commitmentNo(6)],
      sources,
      DAY,
    );
    expect(figures.commitments).toMatchObject({ total: 6, licensing: 6, kept: 3, broken: 1, unverified: 2, keepingRate: 0.75 });
  });

  test('an unverified commitment is never counted as kept (the 1.0 figures did: kept = total − breached)', () => {
    const figures = aggregateStats([commitmentNo(1), commitmentNo(2), breachOf(1, 2)], sources, DAY);
    expect(figures.commitments).toMatchObject({ kept: 0, broken: 0, unverified: 2, keepingRate: null, penalised: 1 });
  });

  test('credit-repair commitments (信用修复型) and commitments without a licensing item are counted apart', () => {
    const repairCommitment = asRecord(commitment({ recordId: 'CR-1' }, { commitmentCode: codeNo(90), commitmentType: '信用修复型' }));
    const voluntary = asRecord(commitment({ recordId: 'V-1' }, { commitmentCode: codeNo(91), commitmentType: '主动型', ...KEPT }));
    const figures = aggregateStats([commitmentNo(1, KEPT), repairCommitment, voluntary], sources, DAY);
    expect(figures.commitments).toMatchObject({ total: 3, licensing: 1, creditRepair: 1, other: 1, kept: 1, keepingRate: 1 });
    expect(figures.commitments.byDepartment).toEqual([{ department: '哈尔滨新区市场监督管理局', total: 1, kept: 1, broken: 0, unverified: 0 }]);
  });

  test('a commitment a non-penalty decision names is exempted, never broken for it', () => {
    const figures = aggregateStats([commitmentNo(1, KEPT), asRecord(nonPenalty({}, { relatedCommitmentCode: codeNo(1) }))], sources, DAY);
    expect(figures.commitments).toMatchObject({ kept: 1, broken: 0, penalised: 0, exempted: 1 });
    expect(figures.breaches.total).toBe(0);
  });

  test('a withdrawn (retracted) record is counted apart, not in the figures; a breach of a commitment not counted here is counted as such', () => {
    const figures = aggregateStats(
      [commitmentNo(1, {}, withdrawn), commitmentNo(2, KEPT), breachOf(1, 1), breachOf(2, 99), breachOf(3, undefined), breachOf(4, 2, {}, withdrawn)],
      sources,
      DAY,
    );
    expect(figures.commitments).toMatchObject({ total: 1, kept: 1, penalised: 0, withdrawn: 1 });
    expect(figures.breaches).toMatchObject({ total: 3, withdrawn: 1, brokenCommitmentNotFound: 2 });
  });

  test('the keeping rate is a number from 0 to 1 with at most 4 decimals', () => {
    expect(aggregateStats([commitmentNo(1, KEPT), commitmentNo(2, KEPT), commitmentNo(3, BROKEN)], sources, DAY).commitments.keepingRate).toBe(0.6667);
    expect(aggregateStats([commitmentNo(1, BROKEN)], sources, DAY).commitments.keepingRate).toBe(0);
  });

  test('departments: the licensing item’s, most commitments first; items counted once each', () => {
    const figures = aggregateStats(
      [
        commitmentNo(1, { ...ITEM('哈尔滨新区市场监督管理局'), ...KEPT }),
        commitmentNo(2, ITEM('哈尔滨新区卫生健康局')),
        commitmentNo(3, { ...ITEM('哈尔滨新区市场监督管理局'), ...BROKEN }),
      ],
      sources,
      DAY,
    );
    expect(figures.commitments.byDepartment).toEqual([
      { department: '哈尔滨新区市场监督管理局', total: 2, kept: 1, broken: 1, unverified: 0 },
      { department: '哈尔滨新区卫生健康局', total: 1, kept: 0, broken: 0, unverified: 1 },
    ]);
    expect(figures.commitments.licensingItems).toBe(1);
  });

  test('by commitment type and publication type, every listed value present; published in the column on the day', () => {
    const figures = aggregateStats(
      [commitmentNo(1), commitmentNo(2, { commitmentType: '容缺受理型', publicationType: '不可公开' }), commitmentNo(3, { validTo: '2026-11-27' })],
      sources,
      DAY,
    );
    expect(figures.commitments.byType).toEqual({ 审批替代型: 2, 容缺受理型: 1, 证明事项型: 0, 信用修复型: 0, 行业自律型: 0, 主动型: 0, 其他: 0 });
    expect(figures.commitments.byPublicationType).toEqual({ 可向社会公开: 2, 特定范围内公开: 0, 不可公开: 1 });
    expect(figures.commitments.published).toBe(1);
  });
});

describe('aggregateStats: breaches, non-penalty decisions, repairs, subjects', () => {
  test('breaches by tier and direction; outbound publication on the day', () => {
    const figures = aggregateStats(
      [
        breachOf(1, undefined),
        breachOf(2, undefined, { severity: '轻微' }),
        breachOf(3, undefined, { severity: '轻微', publicationRequested: true, publicationEndDate: '2026-07-10' }),
        breachOf(4, undefined, { severity: '严重' }, { source: 'hlj-credit-platform' }),
        breachOf(5, undefined, {}, { source: 'retired-system' }),
      ],
      sources,
      DAY,
    );
    expect(figures.breaches).toMatchObject({
      total: 5,
      bySeverity: { 轻微: 2, 一般: 2, 严重: 1 },
      byDirection: { outbound: 3, inbound: 1, unregistered: 1 },
      publication: { published: 1, notPublished: 1, ended: 1 },
    });
  });

  test('non-penalty decisions by ground; a first-offence exemption of a subject penalised before is counted', () => {
    const earlier = breachOf(1, undefined, { decisionDate: '2026-02-10' });
    const first = asRecord(nonPenalty({ recordId: 'NP-1' }));
    const other = asRecord(nonPenalty({ recordId: 'NP-2' }, { ground: '轻微不罚', party: OTHER_COMPANY }));
    const figures = aggregateStats([earlier, first, other, asRecord(nonPenalty({ recordId: 'NP-3', ...withdrawn }))], sources, DAY);
    expect(figures.nonPenalties).toEqual({ total: 2, withdrawn: 1, byGround: { 首违不罚: 1, 轻微不罚: 1, 无过错不罚: 0, 其他: 0 }, notFirstViolation: 1 });
    expect(aggregateStats([first, other], sources, DAY).nonPenalties.notFirstViolation).toBe(0);
  });

  test('repairs by outcome, method (approved ones) and tier; a withdrawn repair apart', () => {
    const refused = { outcome: '不同意', outcomeReason: '未履行法定义务', method: undefined, repairCommitmentCode: undefined };
    const figures = aggregateStats(
      [
        asRecord(repair({ recordId: 'XF-1' })),
        asRecord(repair({ recordId: 'XF-2' }, { severity: '严重' })),
        asRecord(repair({ recordId: 'XF-3' }, refused)),
        asRecord(repair({ recordId: 'XF-4', ...withdrawn })),
      ],
      sources,
      DAY,
    );
    expect(figures.repairs).toEqual({
      total: 3,
      withdrawn: 1,
      byOutcome: { 同意: 2, 不同意: 1, 不予受理: 0 },
      byMethod: { 终止公示: 2, 移出名单: 0 },
      bySeverity: { 轻微: 0, 一般: 2, 严重: 1 },
    });
  });

  test('subjects are distinct parties of licensing commitments: by USCC, by registration number behind the placeholder code, natural persons apart', () => {
    const figures = aggregateStats(
      [
        commitmentNo(1),
        commitmentNo(2), // the same company again
        commitmentNo(3, { party: OTHER_COMPANY }),
        commitmentNo(4, { party: INDIVIDUAL_BUSINESS }),
        commitmentNo(5, { party: PLACEHOLDER_BUSINESS('230109600012345') }),
        commitmentNo(6, { party: PLACEHOLDER_BUSINESS('230109600067890') }),
        commitmentNo(7, { party: NATURAL_PERSON }),
        commitmentNo(8, { party: NATURAL_PERSON }),
        commitmentNo(9, { party: OTHER_COMPANY }, withdrawn),
        breachOf(1, 1),
        breachOf(2, 2),
      ],
      sources,
      DAY,
    );
    expect(figures.subjects).toEqual({
      committing: { marketEntities: 5, organisations: 2, individualBusinesses: 3, naturalPersons: 1 },
      breaching: { marketEntities: 1, organisations: 1, individualBusinesses: 0, naturalPersons: 0 },
    });
  });

  test('an unlisted value (a record from another schema version) is counted after the listed keys', () => {
    const figures = aggregateStats([commitmentNo(1, { commitmentType: '信用承诺型' })], sources, DAY);
    expect(Object.entries(figures.commitments.byType).at(-1)).toEqual(['信用承诺型', 1]);
  });
});

describe('the JSON document', () => {
  const scan: ScanFacts = { segments: 1, items: 0, revisions: 0, records: 0, readUnits: null };
  const target = { stage: 'prod', origin: 'stack credex-prod in cn-north-1', tableName: 'credex-prod-state' };

  test('an empty exchange has every key, every count 0 and no rate', () => {
    const report = statsReport(aggregateStats([], sources, DAY), scan, target, '2026-11-28T09:00:00.000Z');
    const zeros = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, 0]));
    const noSubjects = { marketEntities: 0, organisations: 0, individualBusinesses: 0, naturalPersons: 0 };
    // toStrictEqual and the key order: scripts (and people reading --json) rely on both
    expect(report).toStrictEqual({
      generatedAt: '2026-11-28T09:00:00.000Z',
      target,
      scan,
      day: DAY,
      commitments: {
        total: 0,
        licensing: 0,
        creditRepair: 0,
        other: 0,
        kept: 0,
        broken: 0,
        unverified: 0,
        keepingRate: null,
        penalised: 0,
        exempted: 0,
        withdrawn: 0,
        byDepartment: [],
        licensingItems: 0,
        byType: zeros(COMMITMENT_TYPES),
        byPublicationType: zeros(PUBLICATION_TYPES),
        published: 0,
      },
      breaches: {
        total: 0,
        withdrawn: 0,
        bySeverity: zeros(SEVERITIES),
        byDirection: { outbound: 0, inbound: 0, unregistered: 0 },
        brokenCommitmentNotFound: 0,
        publication: { published: 0, notPublished: 0, ended: 0 },
      },
      nonPenalties: { total: 0, withdrawn: 0, byGround: zeros(NON_PENALTY_GROUNDS), notFirstViolation: 0 },
      repairs: { total: 0, withdrawn: 0, byOutcome: zeros(REPAIR_OUTCOMES), byMethod: zeros(REPAIR_METHODS), bySeverity: zeros(SEVERITIES) },
      subjects: { committing: noSubjects, breaching: noSubjects },
      verification: { licensing: 0, verified: 0, unverified: 0, verifiedShare: null, byResult: zeros(VERIFICATION_RESULTS), overdue: 0 },
      creditLists: {
        black: { subjects: 0, byCategory: { organisations: 0, individualBusinesses: 0, naturalPersons: 0 }, top: [] },
        red: { subjects: 0, byCategory: { organisations: 0, individualBusinesses: 0, naturalPersons: 0 }, top: [] },
        byDepartment: [],
      },
    });
    expect(Object.keys(report)).toEqual([
      'generatedAt',
      'target',
      'scan',
      'day',
      'commitments',
      'breaches',
      'nonPenalties',
      'repairs',
      'subjects',
      'verification',
      'creditLists',
    ]);
  });

  test('the listed values are the schemas’ enums', () => {
    expect(COMMITMENT_TYPES).toEqual(commitmentSchema.$defs.commitment.properties.commitmentType.enum);
    expect(PUBLICATION_TYPES).toEqual(commitmentSchema.$defs.commitment.properties.publicationType.enum);
    expect(REPAIR_OUTCOMES).toEqual(repairSchema.$defs.repair.properties.outcome.enum);
    expect(REPAIR_METHODS).toEqual(repairSchema.$defs.repair.properties.method.enum);
    expect(NON_PENALTY_GROUNDS).toEqual(nonPenaltySchema.$defs.nonPenalty.properties.ground.enum);
    expect(SEVERITIES).toEqual(defsSchema.$defs.severity.enum);
  });

  test('the demo dataset’s figures agree with the facts it was generated with', () => {
    const demo = generateDemoDataset({ seed: 20261128 });
    const latest = new Map<string, CreditRecord>();
    for (const s of demo.submissions) {
      if (s.expect !== 'accepted' || !s.record) continue;
      const record = asRecord(s.record);
      const key = `${record.recordType}#${record.source}#${record.recordId}`;
      if ((latest.get(key)?.revision ?? 0) < record.revision) latest.set(key, record);
    }
    const { facts } = demo;
    const figures = aggregateStats([...latest.values()], sources, demo.today);
    expect(figures.commitments).toMatchObject({
      licensing: facts.commitments - facts.withdrawals,
      creditRepair: facts.repairCommitments,
      kept: Math.round(facts.commitmentKeepingRate * facts.verified),
      broken: facts.verified - Math.round(facts.commitmentKeepingRate * facts.verified),
      penalised: facts.brokenCommitments,
      exempted: facts.firstOffenceExemptions,
      withdrawn: facts.withdrawals,
    });
    expect(figures.breaches).toMatchObject({
      total: facts.breaches + facts.inboundBreaches,
      byDirection: { outbound: facts.breaches, inbound: facts.inboundBreaches, unregistered: 0 },
    });
    expect(figures.nonPenalties.byGround['首违不罚']).toBe(facts.firstOffenceExemptions);
    expect(figures.repairs.total).toBe(facts.repairs);
    // parties whose only commitment was withdrawn are not counted
    expect(figures.subjects.committing.marketEntities).toBeLessThanOrEqual(facts.enterprises);
    expect(figures.subjects.committing.marketEntities).toBeGreaterThanOrEqual(facts.enterprises - facts.withdrawals);
    expect(figures.subjects.committing.individualBusinesses + figures.subjects.committing.naturalPersons).toBeGreaterThan(0);
  });
});

describe('formatStats: the figures for people', () => {
  const records = [
    commitmentNo(1, KEPT),
    commitmentNo(2, { ...ITEM('哈尔滨新区卫生健康局'), ...BROKEN, party: NATURAL_PERSON }),
    breachOf(1, 2),
    asRecord(nonPenalty()),
  ];
  const report = statsReport(
    aggregateStats(records, sources, DAY),
    { segments: 2, items: 40, revisions: 5, records: 4, readUnits: 1.5 },
    { stage: 'prod', origin: 'stack credex-prod in cn-north-1', tableName: 't' },
    '2026-11-28T09:00:00.000Z',
  );
  const text = formatStats(report);

  test('one section per record type, with the rate as a percentage', () => {
    for (const title of [
      'Commitments (信用承诺)',
      'Breaches (失信信息: administrative penalties)',
      'Non-penalty decisions (不予行政处罚: kept, never shared)',
      'Credit repairs (信用修复)',
      'Subjects (主体)',
    ])
      expect(text).toContain(`\n${title}\n`);
    expect(text).toMatch(/^ {4}keeping rate \(kept \/ verified\) +50\.00 %$/m);
    expect(text).toContain('4 records at their latest accepted revision (40 items read in 2 segments, 1.5 read units)');
  });

  test('table columns line up in terminal cells, CJK department names included', () => {
    const commitments = text.slice(text.indexOf('Commitments (信用承诺)'), text.indexOf('Breaches ('));
    const rows = commitments.split('\n').filter((line) => /^ {2}(department|哈尔滨新区)/.test(line));
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((line) => displayWidth(line))).size).toBe(1);
  });

  test('the summary npm start prints shows the same figures', () => {
    const summary = summaryLines(report).join('\n');
    expect(summary).toContain('2 licensing commitments on 1 licensing items of 2 departments');
    expect(summary).toContain('verified 2: kept 1, broken 1 (penalised 1), keeping rate 50.0 %');
    expect(summary).toContain('non-penalty decisions (kept, never shared): 1 (首违不罚 1)');
  });

  test('never prints an identity number', () => {
    expect(text).not.toContain(NATURAL_PERSON.idNumber);
    expect(JSON.stringify(report)).not.toContain(NATURAL_PERSON.idNumber);
  });
});

describe('readLatestRecords', () => {
  const ddbMock = mockClient(DynamoDBDocumentClient);
  const store = dynamoSyncState({ ddb: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), tableName: 'state' });
  const revItem = (record: CreditRecord) => ({
    pk: `REC#${record.recordType}#${record.source}#${record.recordId}`,
    sk: `REV#${String(record.revision).padStart(16, '0')}`,
    revision: record.revision,
    record: JSON.stringify(record),
  });
  beforeEach(() => ddbMock.reset());

  test('pages through the scan and keeps the highest revision of each record, whatever the order', async () => {
    const v1 = commitmentNo(1, {}, { revision: 1 });
    const v3 = commitmentNo(1, { remarks: '第三版' }, { revision: 3 });
    const v2 = commitmentNo(1, {}, { revision: 2, operation: 'withdraw' });
    const other = breachOf(1, 1);
    ddbMock
      .on(ScanCommand)
      .resolvesOnce({ Items: [revItem(v1), revItem(v3)], ScannedCount: 10, LastEvaluatedKey: { pk: 'x', sk: 'y' }, ConsumedCapacity: { CapacityUnits: 0.5 } })
      .resolvesOnce({ Items: [revItem(v2), revItem(other)], ScannedCount: 7, ConsumedCapacity: { CapacityUnits: 1 } });
    const pages: number[] = [];

    const { records, scan } = await readLatestRecords(store, { onPage: (n) => pages.push(n) });

    expect(records.map((r) => [r.recordType, r.revision, r.operation])).toEqual([
      ['commitment', 3, 'upsert'],
      ['breach', 1, 'upsert'],
    ]);
    expect(scan).toEqual({ segments: 1, items: 17, revisions: 4, records: 2, readUnits: 1.5 });
    expect(pages).toEqual([10, 7]);
    const calls = ddbMock.commandCalls(ScanCommand).map((c) => c.args[0].input);
    expect(calls[0]).toMatchObject({
      TableName: 'state',
      FilterExpression: 'begins_with(sk, :rev)',
      ExpressionAttributeValues: { ':rev': 'REV#' },
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(calls[0]).not.toHaveProperty('Segment');
    expect(calls[1]).toMatchObject({ ExclusiveStartKey: { pk: 'x', sk: 'y' } });
  });

  test('--segments scans each segment to its end, and merges them', async () => {
    ddbMock.on(ScanCommand).callsFake((input: { Segment: number }) => ({ Items: [revItem(commitmentNo(input.Segment + 1))], ScannedCount: 3 }));

    const { records, scan } = await readLatestRecords(store, { segments: 3 });

    expect(records).toHaveLength(3);
    expect(scan).toMatchObject({ segments: 3, items: 9, readUnits: null });
    const segments = ddbMock.commandCalls(ScanCommand).map((c) => [c.args[0].input.Segment, c.args[0].input.TotalSegments]);
    expect(segments.sort()).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
  });

  test('a stored record that is not JSON fails the read, naming the item', async () => {
    ddbMock.on(ScanCommand).resolves({ Items: [{ pk: 'REC#commitment#a#b', sk: 'REV#0000000000000001', revision: 1, record: '{' }] });
    await expect(readLatestRecords(store)).rejects.toThrow('item REC#commitment#a#b REV#0000000000000001: the stored record is not JSON');
  });

  test('an aborted signal stops the scan before the next page', async () => {
    const controller = new AbortController();
    ddbMock.on(ScanCommand).callsFake(() => {
      controller.abort();
      return { Items: [], ScannedCount: 1, LastEvaluatedKey: { pk: 'x', sk: 'y' } };
    });
    await expect(readLatestRecords(store, { signal: controller.signal })).rejects.toThrow();
    expect(ddbMock.commandCalls(ScanCommand)).toHaveLength(1);
  });
});

test('--segments takes a whole number from 1 to 1000', () => {
  expect(parseSegments('8')).toBe(8);
  for (const bad of ['0', '1.5', 'many', '1001', '']) expect(() => parseSegments(bad)).toThrow(/whole number from 1 to 1000/);
});
