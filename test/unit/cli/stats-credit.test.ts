/**
 * `credex stats`' verification figures and red and black lists, counted by hand on a small record
 * set — and equal to what the credit check answers for each subject (the same contributions, fold
 * and policy). Natural persons are masked or counted, never identified.
 */
import { formatStats, summaryLines } from '../../../cli/commands/stats.js';
import { readSubject } from '../../../cli/operations/subject.js';
import { aggregateStats, statsReport } from '../../../cli/operations/stats.js';
import { subjectForCode } from '../../../functions/shared/credit/check.js';
import { maskResidentId } from '../../../functions/shared/records/identifiers.js';
import { sources } from '../../../topology/topology.js';
import { breach, COMPANY_NAME, COMPANY_USCC, commitment, repair } from '../../support/records.js';
import {
  APPROVAL,
  asRecord,
  CITY,
  codeNo,
  HEALTH,
  ITEM,
  MARKET,
  OTHER_COMPANY,
  PERSON,
  PERSON_ID,
  PERSON_NAME,
  REP_ID,
  REP_NAME,
  seededState,
  verification,
} from './credit-fixtures.js';

const DAY = '2026-11-28';
const PROVINCE = '黑龙江省市场监督管理局';
const COMPANY = { name: COMPANY_NAME, category: '法人及非法人组织', uscc: COMPANY_USCC };
const determined = { fulfilmentDeterminationDate: '2026-06-01', fulfilmentDeterminationUnit: MARKET, fulfilmentDeterminationUnitUscc: COMPANY_USCC };

const cmt = (serial: number, party: Record<string, unknown>, data: Record<string, unknown> = {}) =>
  asRecord(commitment({ recordId: `CMT-${serial}` }, { commitmentCode: codeNo(serial), party, ...ITEM(), fulfilmentDeadline: '2026-06-02', ...data }));
const ver = (serial: number, party: Record<string, unknown>, result: string, verificationDate: string, data: Record<string, unknown> = {}) =>
  asRecord(verification({ recordId: `VER-${serial}` }, { commitmentCode: codeNo(serial), party, result, verificationDate, ...data }));
const br = (id: string, party: Record<string, unknown>, severity: string, blackPoints: number, authority: string, decisionDate: string, overrides = {}) =>
  asRecord(
    breach(
      { recordId: id, ...overrides },
      { party, severity, blackPoints, authority, decisionDate, decisionNumber: `哈新罚〔2026〕${id}号`, brokenCommitmentCode: undefined },
    ),
  );

/**
 * Licensing commitments (accepting unit APPROVAL): C1 of COMPANY verified 全部履行 (red 2); C2 of
 * OTHER_COMPANY unverified past its deadline (overdue); C3 of PERSON verified 虚假承诺 (black 10);
 * C4 of OTHER_COMPANY determined 部分履行 on the commitment itself; C5 of COMPANY verified 全部未履行
 * (black 3); C7 of OTHER_COMPANY unverified before its deadline. C6: a credit-repair commitment,
 * not a licensing one.
 * Breaches: BR-1 of OTHER_COMPANY (一般, 5, MARKET); BR-2 of COMPANY (严重, 20, HEALTH) naming its
 * legal representative REP, who carries its 20; BR-3 of COMPANY (轻微, 1, CITY) repaired; BR-4 of
 * OTHER_COMPANY from the province (一般, 5); BR-5 of COMPANY withdrawn.
 *
 * Black: COMPANY 3 + 20 = 23, REP 20, PERSON 10, OTHER_COMPANY 5 + 5 = 10 (all 警示). Red: COMPANY 2 (守信).
 */
const RECORDS = [
  cmt(1, COMPANY),
  ver(1, COMPANY, '全部履行', '2026-05-20'),
  cmt(2, OTHER_COMPANY),
  cmt(3, PERSON),
  ver(3, PERSON, '虚假承诺', '2026-06-01'),
  cmt(4, OTHER_COMPANY, { fulfilmentStatus: '部分履行', unperformedContent: '未按期具备条件', liabilityPursued: '已依法处罚', ...determined }),
  cmt(5, COMPANY),
  ver(5, COMPANY, '全部未履行', '2026-06-15', { rectificationDeadline: '2026-07-15' }),
  asRecord(commitment({ recordId: 'CMT-6', source: 'hrb-credit-repair' }, { commitmentCode: codeNo(6), commitmentType: '信用修复型' })),
  cmt(7, OTHER_COMPANY, { fulfilmentDeadline: '2026-12-31' }),
  br('BR-1', OTHER_COMPANY, '一般', 5, MARKET, '2026-06-10'),
  br('BR-2', { ...COMPANY, legalRepresentative: REP_NAME, legalRepIdType: '身份证', legalRepIdNumber: REP_ID }, '严重', 20, HEALTH, '2026-07-01'),
  br('BR-3', COMPANY, '轻微', 1, CITY, '2026-03-10'),
  asRecord(repair({ recordId: 'REP-3' }, { party: COMPANY, breachRecordId: 'BR-3', severity: '轻微', decisionDate: '2026-04-10' })),
  br('BR-4', OTHER_COMPANY, '一般', 5, PROVINCE, '2026-08-01', { source: 'hlj-credit-platform' }),
  br('BR-5', COMPANY, '严重', 20, HEALTH, '2026-05-01', { revision: 2, operation: 'withdraw' }),
];

const figures = aggregateStats(RECORDS, sources, DAY);

describe('stats: verification, from the credit profiles', () => {
  test('licensing commitments verified by result (the latest verification, else the commitment’s own determination), unverified, overdue', () => {
    expect(figures.verification).toEqual({
      licensing: 6,
      verified: 4,
      unverified: 2,
      verifiedShare: 0.6667,
      byResult: { 全部履行: 1, 部分履行: 1, 全部未履行: 1, 虚假承诺: 1 },
      overdue: 1,
    });
  });

  test('nothing to verify: a share of null', () => {
    expect(aggregateStats([], sources, DAY).verification).toEqual({
      licensing: 0,
      verified: 0,
      unverified: 0,
      verifiedShare: null,
      byResult: { 全部履行: 0, 部分履行: 0, 全部未履行: 0, 虚假承诺: 0 },
      overdue: 0,
    });
  });

  test('on the deadline day a commitment is not overdue yet; the day after, C2 and C5 (verified only on 2026-06-15) are', () => {
    expect(aggregateStats(RECORDS, sources, '2026-06-02').verification.overdue).toBe(0);
    expect(aggregateStats(RECORDS, sources, '2026-06-03').verification.overdue).toBe(2);
  });
});

describe('stats: the red and black lists', () => {
  test('subjects on each list, by category; the top of each, most points first', () => {
    expect(figures.creditLists.black).toEqual({
      subjects: 4,
      byCategory: { organisations: 2, individualBusinesses: 0, naturalPersons: 2 },
      top: [
        { category: 'organisations', code: COMPANY_USCC, name: COMPANY_NAME, points: 23, band: '警示' },
        { category: 'naturalPersons', code: maskResidentId(REP_ID), name: null, points: 20, band: '警示' },
        { category: 'naturalPersons', code: maskResidentId(PERSON_ID), name: null, points: 10, band: '警示' },
        { category: 'organisations', code: OTHER_COMPANY.uscc, name: OTHER_COMPANY.name, points: 10, band: '警示' },
      ],
    });
    expect(figures.creditLists.red).toEqual({
      subjects: 1,
      byCategory: { organisations: 1, individualBusinesses: 0, naturalPersons: 0 },
      top: [{ category: 'organisations', code: COMPANY_USCC, name: COMPANY_NAME, points: 2, band: '守信' }],
    });
  });

  test('per department: the authority of a breach, the accepting unit of a verified commitment, whose points count (a repaired breach’s do not)', () => {
    expect(figures.creditLists.byDepartment).toEqual([
      { department: APPROVAL, black: 2, red: 1 }, // COMPANY (C5 not kept), PERSON (C3 false); red: COMPANY (C1 kept)
      { department: HEALTH, black: 2, red: 0 }, // COMPANY and REP, through BR-2
      { department: MARKET, black: 1, red: 0 }, // OTHER_COMPANY, BR-1
      { department: PROVINCE, black: 1, red: 0 }, // OTHER_COMPANY, BR-4 from the province
    ]);
  });

  test('at most 10 on each top list', () => {
    const many = Array.from({ length: 12 }, (_, i) =>
      br(`BR-M${i}`, { ...OTHER_COMPANY, uscc: `${OTHER_COMPANY.uscc.slice(0, 17)}${i}`, name: `公司${i}` }, '一般', 5, MARKET, '2026-06-10'),
    );
    const lists = aggregateStats(many, sources, DAY).creditLists;
    expect(lists.black.subjects).toBe(12);
    expect(lists.black.top).toHaveLength(10);
  });

  test('the points are those the credit check answers for each subject', async () => {
    const state = await seededState(RECORDS);
    for (const [code, idType] of [[COMPANY_USCC], [OTHER_COMPANY.uscc], [PERSON_ID, '身份证'], [REP_ID, '身份证']] as Array<[string, string?]>) {
      const lookup = subjectForCode(code, idType);
      if (!lookup.ok) throw new Error(lookup.message);
      const answer = await readSubject(state, lookup.subject, DAY);
      const listed = (list: typeof figures.creditLists.black) => list.top.find((s) => s.code === lookup.subject.code)?.points ?? 0;
      expect([lookup.subject.code, answer.points.black, answer.points.red]).toEqual([
        lookup.subject.code,
        listed(figures.creditLists.black),
        listed(figures.creditLists.red),
      ]);
    }
  });
});

describe('stats: the new figures for people, and personal data', () => {
  const report = statsReport(
    figures,
    { segments: 1, items: 40, revisions: 16, records: 16, readUnits: null },
    { stage: 'dev', origin: 'o', tableName: 't' },
    'now',
  );
  const text = formatStats(report);
  const summary = summaryLines(report).join('\n');

  test('two sections: verification, and the red and black lists', () => {
    expect(text).toContain('\nVerification (承诺核查: licensing commitments, as the credit profiles hold them)\n');
    expect(text).toMatch(/^ {4}verified share +66\.67 %$/m);
    expect(text).toMatch(/^ {6}虚假承诺 +1$/m);
    expect(text).toMatch(/^ {6}overdue \(deadline passed\) +1$/m);
    expect(text).toContain('\nRed and black lists (红黑榜)\n');
    expect(text).toMatch(/^ {2}all +4 +1$/m);
    expect(text).toMatch(new RegExp(`^ {2}\\(a natural person\\) +${escape(maskResidentId(REP_ID))} +20 +警示$`, 'm'));
    expect(text).toMatch(new RegExp(`^ {2}${APPROVAL} +2 +1$`, 'm'));
  });

  test('the summary npm start prints repeats them', () => {
    expect(summary).toContain('verification: 4 of 6 licensing commitments verified (66.7 %): 全部履行 1, 部分履行 1, 全部未履行 1, 虚假承诺 1; overdue 1');
    expect(summary).toContain(
      `red and black lists: 4 subjects on the black list, 1 on the red list; most black points: ${COMPANY_NAME} (${COMPANY_USCC}) 23 (警示); ` +
        `most red points: ${COMPANY_NAME} (${COMPANY_USCC}) 2 (守信)`,
    );
  });

  test('no identity number or name of a natural person anywhere: --json, the tables, the summary', () => {
    for (const output of [JSON.stringify(report), text, summary])
      for (const personal of [PERSON_ID, REP_ID, PERSON_NAME, REP_NAME]) expect(output).not.toContain(personal);
  });
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
