/** Shared by the simulator tests: credentials, signed fetch, and wire records of each contract. */
import type { SignatureAlgorithm } from '../../functions/deliver/adapters/types.js';
import { signRequest } from '../../functions/shared/signing/sign.js';
import { sm4EncryptField } from '../../functions/shared/signing/sm4.js';
import type { Credentials } from '../../functions/shared/signing/credentials.js';
import type { Simulator } from '../../local/simulators/index.js';

export const CREDENTIALS = {
  provincial: { appKey: 'prov-app', secret: 'prov-secret-不外传', fieldKey: '0123456789abcdef0123456789abcdef' },
  municipal: { appKey: 'hrb-app', secret: 'hrb-secret' },
  publicColumn: { appKey: 'column-app', secret: 'column-secret' },
  district: { appKey: 'district-app', secret: 'district-secret' },
} satisfies Record<string, Credentials>;

export interface SendOptions {
  method?: string;
  /** JSON-serialised unless already a string. */
  body?: unknown;
  credentials?: Credentials;
  algorithm?: SignatureAlgorithm;
  timestamp?: number;
  nonce?: string;
  /** Changes applied to the signed headers (tampering). */
  tamper?: (headers: Record<string, string>) => void;
  /** Aborts the request (a sender's timeout). */
  signal?: AbortSignal;
}

/** A request signed as docs/endpoints.md says, sent with fetch. */
export async function send(sim: Simulator, path: string, options: SendOptions = {}): Promise<Response> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const credentials = options.credentials ?? (CREDENTIALS as Record<string, Credentials>)[sim.contract.destination]!;
  const headers: Record<string, string> = {
    ...signRequest({
      method,
      path,
      body,
      credentials,
      algorithm: options.algorithm ?? sim.contract.algorithm,
      ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
    }),
  };
  if (body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
  options.tamper?.(headers);
  return fetch(`${sim.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }), ...(options.signal && { signal: options.signal }) });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are asserted field by field
export async function sendJson(sim: Simulator, path: string, options: SendOptions = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await send(sim, path, options);
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
}

export const FIELD_KEY = CREDENTIALS.provincial.fieldKey;
export const encrypt = (plain: string): string => sm4EncryptField(plain, FIELD_KEY);

/** A valid 18-character resident identity number (GB 11643 check character). */
export const RESIDENT_ID = '11010519491231002X';

/** A commitment of an organisation, as the provincial platform's fields. */
export function provincialCommitment(serial = 123): Record<string, unknown> {
  return {
    CN_CNBM: `23010920260302${String(serial).padStart(6, '0')}`,
    CN_CNZTMC: '哈尔滨新区示例食品有限公司',
    CN_CNZTLB: '法人及非法人组织',
    CN_CNZTDM: '91230109MA1BCDE849',
    CN_CNLX: '审批替代型',
    CN_CNSY: '申请食品经营许可',
    CN_CNNR: '本单位承诺所提交材料真实有效',
    CN_WNZR: '愿意承担违诺责任',
    CN_CNRQ: '2026/03/02',
    CN_YXQZ: '2026/03/02',
    CN_YXQZI: '2031/03/01',
    CN_SLDW: '哈尔滨新区管理委员会行政审批局',
    CN_SLDWDM: '11230100MB1234567X',
    CN_GKLX: '可向社会公开',
  };
}

/**
 * A verification (核查) of provincialCommitment(serial), found partly kept with a rectification
 * deadline, as the provincial platform's fields (an organisation: HC_CNZTDM is its USCC in clear).
 */
export function provincialVerification(serial = 123): Record<string, unknown> {
  return {
    HC_CNBM: `23010920260302${String(serial).padStart(6, '0')}`,
    HC_CNZTMC: '哈尔滨新区示例食品有限公司',
    HC_CNZTLB: '法人及非法人组织',
    HC_CNZTDM: '91230109MA1BCDE849',
    HC_HCRQ: '2026/04/15',
    HC_HCFS: '现场核查',
    HC_HCJG: '部分履行',
    HC_HCQK: '经现场核查，食品安全管理人员尚未到岗',
    HC_ZGQX: '2026/05/15',
    HC_RDDW: '哈尔滨新区管理委员会行政审批局',
    HC_RDDWDM: '11230100MB1234567X',
  };
}

/** A natural person's verification: HC_CNZTDM is the identity number (to encrypt for the provincial platform). */
export function personVerification(idNumber: string): Record<string, unknown> {
  return {
    ...provincialVerification(36),
    HC_CNZTMC: '张三',
    HC_CNZTLB: '自然人',
    HC_ZJLX: '身份证',
    HC_CNZTDM: idNumber,
    HC_HCJG: '虚假承诺',
    HC_ZGQX: undefined,
  };
}

/** The municipal style of provincialVerification: ISO dates. */
export function municipalVerification(serial = 123): Record<string, unknown> {
  return { ...provincialVerification(serial), HC_HCRQ: '2026-04-15', HC_ZGQX: '2026-05-15' };
}

/**
 * A breach of a natural person, as the provincial (encrypted) or district (clear) platform's
 * fields, published (SX_SFGS) until CF_GSJZQ — a 一般 record decided 2026-06-10 may be published
 * until 2027-06-10 at most.
 */
export function breachFields(idNumber: string, decisionNumber = '哈新综执罚〔2026〕12号'): Record<string, unknown> {
  return {
    CF_XDR_MC: '张三',
    CF_XDR_LB: '自然人',
    CF_XDR_ZJLX: '身份证',
    CF_XDR_ZJHM: idNumber,
    CF_WSH: decisionNumber,
    CF_WFXW: '未按承诺履行',
    CF_SY: '经查，当事人未按承诺期限补齐材料',
    CF_YJ: '《行政许可法》第七十九条',
    CF_CFLB: '警告;罚款',
    CF_NR: '警告并处罚款二千元',
    CF_NR_FK: 0.2,
    CF_JDRQ: '2026/06/10',
    CF_GSJZQ: '2027/06/10',
    CF_CFJG: '哈尔滨新区综合行政执法局',
    CF_CFJGDM: '11230100MB7654321Y',
    CF_SJLY: '哈尔滨新区综合行政执法局',
    CF_SJLYDM: '11230100MB7654321Y',
    SX_YZCD: '一般',
    SX_SFGS: '是',
  };
}

/** The municipal style of breachFields: ISO dates, JSON arrays and booleans, clear identity numbers. */
export function municipalBreach(): Record<string, unknown> {
  return {
    ...breachFields(RESIDENT_ID),
    CF_CFLB: ['警告', '罚款'],
    CF_JDRQ: '2026-06-10',
    CF_GSJZQ: '2027-06-10',
    SX_SFGS: true,
  };
}

export function columnItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cnbm: '23010920260302000123',
    ztmc: '哈尔滨新区示例食品有限公司',
    ztlb: '法人及非法人组织',
    ztdm: '91230109MA1BCDE849',
    cnlx: '审批替代型',
    cnsy: '申请食品经营许可',
    cnnr: '本单位承诺所提交材料真实有效',
    wnzr: '愿意承担违诺责任',
    cnrq: '2026/03/02',
    yxq: '2026/03/02-2031/03/01',
    sldw: '哈尔滨新区管理委员会行政审批局',
    sxmc: '食品经营许可',
    lyzt: '全部履行',
    ...overrides,
  };
}
