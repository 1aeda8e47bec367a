/**
 * Proof bundles and the standalone verifier (verifier/verify-evidence-bundle.mjs, which shares no
 * code with the exchange): a bundle verifies; any byte of it changed, it does not.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleText, findRecordEvidence, proofBundle, revisionInKey } from '../../../functions/shared/evidence/bundle.js';
import { readTip, sealWindow } from '../../../functions/shared/evidence/chain.js';
import { entryLine } from '../../../functions/shared/evidence/format.js';
import { localSigner, spkiToPem, type EvidenceSigner } from '../../../functions/shared/evidence/signer.js';
import { fileEvidenceStore, type EvidenceStore } from '../../../functions/shared/evidence/store.js';
// @ts-expect-error: a plain JavaScript file with no declarations, on purpose (it stands alone)
import { verifyBundle } from '../../../verifier/verify-evidence-bundle.mjs';
import { sendEntry } from '../../support/evidence.js';

const RECORD = { recordType: 'breach', source: 'hxsj-enforcement', recordId: 'HXSJ-CF-2026-000002' };
const KEY = `breach:hxsj-enforcement:HXSJ-CF-2026-000002`;

let dir: string;
let store: EvidenceStore;
let signer: EvidenceSigner;
let text: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'credex-bundle-'));
  store = fileEvidenceStore(join(dir, 'evidence'));
  signer = localSigner(join(dir, 'key.json'));
  // the record sent in window 0 (refused, then accepted) and again in window 2; window 1 is another record's
  const windows = [
    [sendEntry(1), sendEntry(2, { status: 503, records: [{ key: `${KEY}:1:provincial`, outcome: 'transient' }] }), sendEntry(3)],
    [sendEntry(4), sendEntry(5)],
    [sendEntry(6), sendEntry(7, { records: [{ key: `${KEY}:2:provincial`, recordDigest: 'd'.repeat(64), outcome: 'delivered', receipt: 'HLJ-77' }] })],
  ];
  windows[0]![1] = { ...windows[0]![1]!, records: [{ key: `${KEY}:1:provincial`, outcome: 'transient' }] };
  windows[0]!.push(sendEntry(8, { records: [{ key: `${KEY}:1:provincial`, recordDigest: 'e'.repeat(64), outcome: 'delivered', receipt: 'HLJ-76' }] }));
  let tip = await readTip(store);
  for (const [i, entries] of windows.entries()) {
    const at = `2026-12-08T08:0${i}:00.000Z`;
    tip = (await sealWindow(store, signer, 'test', tip, entries.map(entryLine), { from: at, until: at })).tip;
  }
  const trusted = { spki: await signer.publicKey(), keyId: signer.keyId };
  const evidence = await findRecordEvidence(store, trusted, RECORD);
  text = bundleText(proofBundle(evidence, trusted, signer.algorithm, RECORD));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('proof bundles', () => {
  it("hold the record's exchanges and the windows that prove them, nothing else", () => {
    const bundle = JSON.parse(text) as { record: string; windows: unknown[]; entries: Array<{ window: number; index: number }> };
    expect(bundle.record).toBe('breach:hxsj-enforcement:HXSJ-CF-2026-000002');
    expect(bundle.entries.map((e) => [e.window, e.index])).toEqual([
      [0, 1],
      [0, 3],
      [2, 1],
    ]);
    expect(bundle.windows).toHaveLength(2);
  });

  it('verify with the standalone verifier, which names every exchange', () => {
    const result = verifyBundle(text) as { exchanges: Array<{ record: { key: string; outcome?: string; receipt?: string } }>; fingerprint: string };
    expect(result.exchanges.map((x) => [x.record.key, x.record.outcome, x.record.receipt])).toEqual([
      [`${KEY}:1:provincial`, 'transient', undefined],
      [`${KEY}:1:provincial`, 'delivered', 'HLJ-76'],
      [`${KEY}:2:provincial`, 'delivered', 'HLJ-77'],
    ]);
  });

  it('do not verify once any byte is changed, whichever byte', () => {
    const bytes = Buffer.from(text, 'utf8');
    const passed: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const changed = Buffer.from(bytes);
      changed[i] = changed[i]! ^ (changed[i] === 0x0a ? 0x2a : 0x01);
      try {
        verifyBundle(changed.toString('utf8'));
        passed.push(i);
      } catch (err) {
        expect((err as Error).constructor.name).toBe('Broken');
      }
    }
    expect(passed).toEqual([]);
    expect(bytes.length).toBeGreaterThan(2000);
  });

  it('verify under the key the verifier trusts (--key), and under no other', async () => {
    const otherPem = spkiToPem(await localSigner(join(dir, 'other.json')).publicKey());
    expect(() => verifyBundle(text, otherPem)).toThrow(/signed by another key than the one you trust/);
    expect(verifyBundle(text, spkiToPem(await signer.publicKey()))).toMatchObject({ record: 'breach:hxsj-enforcement:HXSJ-CF-2026-000002' });
  });

  it('the verifier runs as a script: exit 0 and VERIFIED; exit 1 and the reason once changed', async () => {
    const run = promisify(execFile);
    const file = join(dir, 'bundle.json');
    writeFileSync(file, text);
    const ok = await run(process.execPath, ['verifier/verify-evidence-bundle.mjs', file]);
    expect(ok.stdout).toMatch(/^VERIFIED: 3 exchanges of breach:hxsj-enforcement:HXSJ-CF-2026-000002, stage test, signed with SM2DSA/);
    writeFileSync(file, text.replace('HLJ-77', 'HLJ-78'));
    const broken = await run(process.execPath, ['verifier/verify-evidence-bundle.mjs', file]).catch((err: { code: number; stdout: string }) => err);
    expect(broken).toMatchObject({ code: 1, stdout: expect.stringMatching(/^NOT VERIFIED: entries\[2\]: not entry 1 of window 2's signed tree/) });
  });
});

describe('which entries concern a record', () => {
  it('reads what follows the id as a revision and its suffixes only: an id may hold a colon', () => {
    const sel = (recordId: string, source?: string) => ({ recordType: 'breach', recordId, ...(source && { source }) });
    expect(revisionInKey('breach:hxsj-enforcement:A:1:2:provincial', sel('A:1'))).toBe(2);
    expect(revisionInKey('breach:hxsj-enforcement:A:1:2:provincial', sel('A'))).toBeUndefined();
    expect(revisionInKey('breach:hxsj-enforcement:A:3', sel('A'))).toBe(3);
    expect(revisionInKey('breach:hxsj-enforcement:A:3:municipal:unpublish', sel('A', 'hxsj-enforcement'))).toBe(3);
    expect(revisionInKey('breach:hxsj-enforcement:A:3', sel('A', 'other-source'))).toBeUndefined();
    expect(revisionInKey('repair:hxsj-enforcement:A:3', sel('A'))).toBeUndefined();
    expect(revisionInKey('breach:hxsj-enforcement:AB:3', sel('A'))).toBeUndefined();
  });
});
