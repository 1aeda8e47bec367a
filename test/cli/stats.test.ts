/**
 * `credex stats` on the real local runtime: records go through the intake queue, and the figures
 * are read back from the sync-state table the intake wrote.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { run } from '../../cli/main.js';
import type { StatsReport } from '../../cli/operations/stats.js';
import { beijingDate } from '../../functions/shared/records/dates.js';
import { targetOf } from '../../local/runtime/runtime.js';
import { breach, commitment, nonPenalty, repair, residentId, uscc } from '../support/records.js';
import { startCliHarness, waitFor, type CliHarness } from './runtime-harness.js';

const code = (serial: number): string => `23010920260302${String(serial).padStart(6, '0')}`;
const item = (department: string) => ({ licensingItem: { itemCode: '230109001', itemName: '食品经营许可', department } });
const MARKET = '哈尔滨新区市场监督管理局';
const HEALTH = '哈尔滨新区卫生健康局';
const determined = {
  fulfilmentDeterminationDate: '2026-06-01',
  fulfilmentDeterminationUnit: MARKET,
  fulfilmentDeterminationUnitUscc: uscc('11230109MB012345'),
};
const KEPT = { fulfilmentStatus: '全部履行', ...determined };
const BROKEN = { fulfilmentStatus: '部分履行', unperformedContent: '未按期具备条件', liabilityPursued: '已依法处罚', ...determined };

const OTHER_COMPANY = { name: '哈尔滨新区松北建筑工程有限公司', category: '法人及非法人组织', uscc: uscc('91230109MA1BCDF2') };
const INDIVIDUAL_BUSINESS = { name: '松北区张记小吃店', category: '个体工商户', uscc: uscc('92230109MA1BCDG3') };
const NATURAL_PERSON = { name: '张伟', category: '自然人', idType: '身份证', idNumber: residentId('230109', '19850612', '031') };

/**
 * 4 licensing commitments of 2 departments (one withdrawn besides) and one credit-repair
 * commitment; 3 breaches (2 outbound: a 一般 one breaking commitment 1, published, and a 轻微 one,
 * shared but not published; 1 inbound); a first-offence exemption; 1 repair.
 */
const RECORDS = [
  commitment({ recordId: 'CMT-STATS-1' }, { commitmentCode: code(1), ...item(MARKET), ...BROKEN }),
  commitment({ recordId: 'CMT-STATS-2' }, { commitmentCode: code(2), ...item(MARKET), party: OTHER_COMPANY, ...KEPT }),
  commitment({ recordId: 'CMT-STATS-3' }, { commitmentCode: code(3), ...item(HEALTH), party: INDIVIDUAL_BUSINESS, publicationType: '特定范围内公开', ...KEPT }),
  commitment({ recordId: 'CMT-STATS-4' }, { commitmentCode: code(4), ...item(HEALTH), party: NATURAL_PERSON, commitmentType: '容缺受理型' }),
  commitment({ recordId: 'CMT-STATS-5' }, { commitmentCode: code(5), ...item(HEALTH) }),
  commitment({ recordId: 'CMT-STATS-5', revision: 2, operation: 'withdraw' }, { commitmentCode: code(5), ...item(HEALTH) }),
  commitment({ recordId: 'CMT-STATS-6', source: 'hrb-credit-repair' }, { commitmentCode: code(6), commitmentType: '信用修复型' }),
  // the builder's breach (一般) breaks commitment 1, and the builder's repair repairs it
  breach({}, { brokenCommitmentCode: code(1) }),
  breach({ recordId: 'BR-STATS-2' }, { party: OTHER_COMPANY, severity: '轻微', decisionNumber: '哈新市监罚〔2026〕52号', brokenCommitmentCode: undefined }),
  // from the provincial platform, about a commitment made elsewhere
  breach(
    { recordId: 'BR-STATS-3', source: 'hlj-credit-platform' },
    { brokenCommitmentCode: code(99), severity: '严重', decisionNumber: '黑市监处罚〔2026〕7号', blackPoints: undefined },
  ),
  nonPenalty({}, { relatedCommitmentCode: code(2), party: OTHER_COMPANY }),
  repair(),
];
const RECORD_COUNT = 11;

let harness: CliHarness;
let report: StatsReport;

beforeAll(async () => {
  harness = await startCliHarness();
  await harness.submit(RECORDS);
  report = await waitFor(
    'the intake to accept every record',
    async () => {
      const r = await harness.credexJson<StatsReport>(['stats']);
      return r.scan.records === RECORD_COUNT && r.commitments.withdrawn === 1 ? r : undefined;
    },
    20_000,
  );
});

afterAll(async () => {
  await harness?.stop();
});

test('commitments: licensing ones kept, broken and unverified; the keeping rate over verified ones; credit-repair ones apart', () => {
  expect(report.commitments).toEqual({
    total: 5,
    licensing: 4,
    creditRepair: 1,
    other: 0,
    kept: 2,
    broken: 1,
    unverified: 1,
    keepingRate: 0.6667,
    penalised: 1,
    exempted: 1,
    withdrawn: 1,
    byDepartment: [
      { department: HEALTH, total: 2, kept: 1, broken: 0, unverified: 1 },
      { department: MARKET, total: 2, kept: 1, broken: 1, unverified: 0 },
    ],
    licensingItems: 1,
    byType: { 审批替代型: 3, 容缺受理型: 1, 证明事项型: 0, 信用修复型: 1, 行业自律型: 0, 主动型: 0, 其他: 0 },
    byPublicationType: { 可向社会公开: 4, 特定范围内公开: 1, 不可公开: 0 },
    published: 4,
  });
});

test('breaches by tier, direction and publication; the exemption apart; repairs', () => {
  expect(report.day).toBe(beijingDate(new Date()));
  expect(report.breaches).toEqual({
    total: 3,
    withdrawn: 0,
    bySeverity: { 轻微: 1, 一般: 1, 严重: 1 },
    byDirection: { outbound: 2, inbound: 1, unregistered: 0 },
    brokenCommitmentNotFound: 1,
    publication: { published: 1, notPublished: 1, ended: 0 },
  });
  expect(report.nonPenalties).toEqual({ total: 1, withdrawn: 0, byGround: { 首违不罚: 1, 轻微不罚: 0, 无过错不罚: 0, 其他: 0 }, notFirstViolation: 0 });
  expect(report.repairs).toEqual({
    total: 1,
    withdrawn: 0,
    byOutcome: { 同意: 1, 不同意: 0, 不予受理: 0 },
    byMethod: { 终止公示: 1, 移出名单: 0 },
    bySeverity: { 轻微: 0, 一般: 1, 严重: 0 },
  });
});

test('subjects, and what was read to count them', () => {
  expect(report.subjects).toEqual({
    committing: { marketEntities: 3, organisations: 2, individualBusinesses: 1, naturalPersons: 1 },
    breaching: { marketEntities: 2, organisations: 2, individualBusinesses: 0, naturalPersons: 0 },
  });
  expect(report.target).toMatchObject({ stage: 'local', tableName: harness.runtime.tableName });
  expect(Date.parse(report.generatedAt)).not.toBeNaN();
  // revision 1 of the withdrawn commitment has no REV item when revision 2 arrived first
  expect(report.scan.revisions).toBeGreaterThanOrEqual(RECORD_COUNT);
  expect(report.scan.revisions).toBeLessThanOrEqual(RECORDS.length);
  // every record's history and state items are read too: a Scan reads the whole table
  expect(report.scan.items).toBeGreaterThan(report.scan.revisions);
});

test('a parallel scan counts the same', async () => {
  const parallel = await harness.credexJson<StatsReport>(['stats', '--segments', '3']);
  expect(parallel.scan.segments).toBe(3);
  expect({ ...parallel, generatedAt: undefined, scan: undefined }).toEqual({ ...report, generatedAt: undefined, scan: undefined });
});

test('for people: the same figures in aligned sections, no identity number', async () => {
  const out = await harness.credex(['stats']);
  expect(out.code).toBe(0);
  expect(out.stdout).toMatch(/^ {4}keeping rate \(kept \/ verified\) +66\.67 %$/m);
  expect(out.stdout).toMatch(/^ {4}首违不罚 +1$/m);
  expect(out.stdout).toMatch(new RegExp(`^ {2}${MARKET} +2 +1 +1 +0$`, 'm'));
  expect(out.stdout).not.toContain(NATURAL_PERSON.idNumber);
});

test('--help shows examples, what a scan costs and the JSON shape', async () => {
  const out = await harness.credex(['stats', '--help']);
  expect(out.code).toBe(0);
  expect(out.stdout).toContain('$ credex stats --stage prod --json');
  expect(out.stdout).toContain('≈ 0.5 read');
  expect(out.stdout).toContain('byType: {审批替代型, 容缺受理型');
  expect(out.stdout).toContain('--local [dir]');
});

test('a bad --segments is a usage error (exit 2)', async () => {
  const out = await harness.credex(['stats', '--segments', '0']);
  expect(out.code).toBe(2);
  expect(out.stderr).toContain('whole number from 1 to 1000');
});

test('an exchange that cannot be found exits 4, saying why', async () => {
  let stderr = '';
  const exit = await run(['stats', '--local', '/nonexistent'], {
    stdin: Readable.from([]),
    stdout: { write: () => true },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
  });
  expect(exit).toBe(4);
  expect(stderr).toContain('no local runtime is running (/nonexistent/target.json does not exist)');
});

test("counts publication on a local runtime's own calendar day, as npm start does", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'credex-stats-'));
  const file = join(dir, 'target.json');
  // years on: the 一般 breach's publication (a year at most) is over
  await writeFile(file, JSON.stringify(targetOf(harness.runtime, '2031-01-01')));
  let stdout = '';
  const exit = await run(['stats', '--json', '--target', file], {
    stdin: Readable.from([]),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: () => true },
    env: {},
  });
  expect(exit).toBe(0);
  const later = JSON.parse(stdout) as StatsReport;
  expect(later.day).toBe('2031-01-01');
  expect(later.breaches.publication).toEqual({ published: 0, notPublished: 1, ended: 1 });

  await writeFile(file, JSON.stringify({ ...targetOf(harness.runtime), calendarDay: '2031-02-30' }));
  let stderr = '';
  expect(
    await run(['stats', '--target', file], {
      stdin: Readable.from([]),
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
    }),
  ).toBe(2);
  expect(stderr).toContain('calendarDay');
});
