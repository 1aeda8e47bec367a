/**
 * Records for the CLI tests, built here rather than read from schemas/examples so the tests do not
 * depend on example files that change with the schemas' documentation.
 */
import { orgCodeCheckCharacter, usccCheckCharacter } from '../../functions/shared/records/identifiers.js';

/** A USCC with correct check characters: authority 1 (机构编制), category 1 (机关), Harbin 230100. */
export function makeUscc(orgBody8: string, division = '230100'): string {
  const first17 = `11${division}${orgBody8}${orgCodeCheckCharacter(orgBody8)}`;
  return `${first17}${usccCheckCharacter(first17)}`;
}

/** The same code with a wrong final check character. */
export function breakUscc(uscc: string): string {
  const last = uscc.at(-1) === '0' ? '1' : '0';
  return `${uscc.slice(0, 17)}${last}`;
}

export const ACCEPTING_UNIT_USCC = makeUscc('00012345');
export const PARTY_USCC = makeUscc('12345678');
export const PARTY_NAME = '哈尔滨市道里区示范餐饮有限公司';

export function validCommitment(recordId = 'CMT-2026-000001'): Record<string, unknown> {
  return {
    schemaVersion: '1.0',
    recordType: 'commitment',
    recordId,
    revision: 1,
    operation: 'upsert',
    source: 'daoli-credit',
    occurredAt: '2026-03-02T09:30:00+08:00',
    data: {
      commitmentCode: '23010220260302000001',
      party: { name: PARTY_NAME, category: '法人及非法人组织', uscc: PARTY_USCC },
      commitmentType: '审批替代型',
      reason: '申请食品经营许可',
      content: '本单位承诺所提交的材料真实有效，并按规定履行相关义务。',
      breachLiability: '违反承诺的，依法撤销许可并记入信用记录。',
      commitmentDate: '2026-03-02',
      validFrom: '2026-03-02',
      validTo: '2029-03-01',
      acceptingUnit: '哈尔滨市道里区市场监督管理局',
      acceptingUnitUscc: ACCEPTING_UNIT_USCC,
      publicationType: '可向社会公开',
    },
  };
}

let gbkTable: Map<string, number[]> | undefined;

/**
 * Node decodes GB18030 but has no encoder. Every GBK character is a two-byte sequence (lead
 * 0x81–0xFE, trail 0x40–0xFE except 0x7F), so decoding all of them gives the inverse table.
 * Tests pin it to independently known bytes (哈尔滨 = B9FE B6FB B1F5), so it is not circular.
 */
export function encodeGbk(text: string): Buffer {
  if (!gbkTable) {
    gbkTable = new Map();
    const decoder = new TextDecoder('gb18030', { fatal: true });
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        let ch: string;
        try {
          ch = decoder.decode(new Uint8Array([lead, trail]));
        } catch {
          continue; // unassigned in this ICU version
        }
        if (!gbkTable.has(ch)) gbkTable.set(ch, [lead, trail]);
      }
    }
  }
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) {
      bytes.push(code);
      continue;
    }
    const pair = gbkTable.get(ch);
    if (!pair) throw new Error(`no GBK encoding for ${ch} (U+${code.toString(16).toUpperCase()})`);
    bytes.push(...pair);
  }
  return Buffer.from(bytes);
}
