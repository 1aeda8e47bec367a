/**
 * The chain of windows on a real directory, with the local SM2 signer: sealing, a crash between
 * the window and its head, and every way of cheating the issue names — each found, and named.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTip, sealWindow, verifyLog, type ChainTip } from '../../../functions/shared/evidence/chain.js';
import { entryLine, parseEntryLine, parseStatement, statementText, type SealedWindow } from '../../../functions/shared/evidence/format.js';
import { sendEntry } from '../../support/evidence.js';
import { localSigner, type EvidenceSigner } from '../../../functions/shared/evidence/signer.js';
import { fileEvidenceStore, windowName, type EvidenceStore } from '../../../functions/shared/evidence/store.js';
import { sm2Sign } from '../../../functions/shared/evidence/sm2.js';

let dir: string;
let store: EvidenceStore;
let signer: EvidenceSigner;
const trusted = async () => ({ spki: await signer.publicKey(), keyId: signer.keyId });

/** Seals `windows` windows of `perWindow` entries each. */
async function sealSome(windows: number, perWindow: number): Promise<ChainTip> {
  let tip = await readTip(store);
  for (let w = 0; w < windows; w++) {
    const lines = Array.from({ length: perWindow }, (_, i) => entryLine(sendEntry(w * perWindow + i)));
    const at = new Date(Date.UTC(2026, 11, 8, 8, w + 1)).toISOString();
    tip = (await sealWindow(store, signer, 'test', tip, lines, { from: at, until: at })).tip!;
  }
  return tip!;
}

const windowPath = (seq: number) => join(dir, 'evidence', windowName(seq));
const readStored = (seq: number) => JSON.parse(readFileSync(windowPath(seq), 'utf8')) as SealedWindow;
const writeStored = (seq: number, w: SealedWindow) => writeFileSync(windowPath(seq), `${JSON.stringify(w)}\n`);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'credex-chain-'));
  store = fileEvidenceStore(join(dir, 'evidence'));
  signer = localSigner(join(dir, 'keys', 'key.json'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the evidence chain', () => {
  it('seals windows that link, and verifies them all', async () => {
    const tip = await sealSome(4, 5);
    expect(tip.seq).toBe(3);
    const v = await verifyLog(store, await trusted());
    expect(v).toMatchObject({ ok: true, windows: 4, entries: 20 });
    const statements = [0, 1, 2, 3].map((seq) => parseStatement(readStored(seq).statement));
    expect(statements.map((s) => s.seq)).toEqual([0, 1, 2, 3]);
    expect(statements[1]!.from).toBe(statements[0]!.until);
    expect(statements[0]!.previous).toBe('0'.repeat(64));
  });

  it('verifies an empty log, and reports a span', async () => {
    expect(await verifyLog(store, await trusted())).toEqual({ ok: true, windows: 0, entries: 0 });
    await sealSome(3, 2);
    const v = await verifyLog(store, await trusted(), { since: '2026-12-08T08:02:00.000Z' });
    expect(v).toMatchObject({ ok: true, windows: 2, entries: 4 });
  });

  it('a window written by a sealer that died before moving the head is adopted, and the head brought up to date', async () => {
    await sealSome(2, 2);
    const head = readFileSync(join(dir, 'evidence', 'head.json'), 'utf8');
    await sealSome(1, 2);
    writeFileSync(join(dir, 'evidence', 'head.json'), head); // the crash: window 2 on disk, the head still at 1
    expect((await readTip(store))!.seq).toBe(2);
    expect(readFileSync(join(dir, 'evidence', 'head.json'), 'utf8')).toContain('seq 2');
    expect((await verifyLog(store, await trusted())).ok).toBe(true);
  });

  it('never writes over a window: a second sealer of the same number gets nothing', async () => {
    const tip = await sealSome(1, 1);
    const before = readFileSync(windowPath(0), 'utf8');
    const at = '2026-12-08T09:00:00.000Z';
    const again = await sealWindow(store, signer, 'test', undefined, [entryLine(sendEntry(99))], { from: at, until: at });
    expect(again.tip).toBeUndefined();
    expect(readFileSync(windowPath(0), 'utf8')).toBe(before);
    expect(tip.seq).toBe(0);
  });

  describe('finds every cheat and names where it is', () => {
    beforeEach(() => sealSome(4, 3));
    const problem = async () => {
      const v = await verifyLog(store, await trusted());
      expect(v.ok).toBe(false);
      return v.problem!;
    };

    it('an entry deleted', async () => {
      const w = readStored(2);
      writeStored(2, { ...w, entries: w.entries.slice(1) });
      expect(await problem()).toMatch(/^window 2 holds 2 entries; its statement says 3/);
    });

    it('an entry deleted and the count in the statement changed to match', async () => {
      const w = readStored(2);
      writeStored(2, { ...w, statement: w.statement.replace('entries 3', 'entries 2'), entries: w.entries.slice(1) });
      expect(await problem()).toMatch(/^window 2: the signature does not verify/);
    });

    it('one byte of an entry changed', async () => {
      const w = readStored(1);
      const line = w.entries[1]!.replace('"status":200', '"status":201');
      writeStored(1, { ...w, entries: [w.entries[0]!, line, w.entries[2]!] });
      expect(await problem()).toMatch(/^window 1: its entries hash to [0-9a-f]{64}, the signed root is/);
    });

    it('two entries of a window swapped', async () => {
      const w = readStored(3);
      writeStored(3, { ...w, entries: [w.entries[1]!, w.entries[0]!, w.entries[2]!] });
      expect(await problem()).toMatch(/^window 3: its entries hash to/);
    });

    it('two windows swapped', async () => {
      renameSync(windowPath(1), join(dir, 'w1'));
      renameSync(windowPath(2), windowPath(1));
      renameSync(join(dir, 'w1'), windowPath(2));
      expect(await problem()).toBe('window 1 holds the statement of window 2 (windows swapped or renamed)');
    });

    it('a window re-signed with another key', async () => {
      const other = localSigner(join(dir, 'keys', 'other.json'));
      const w = readStored(2);
      const statement = w.statement.replace(`key ${signer.keyId}`, `key ${other.keyId}`);
      writeStored(2, { ...w, statement, signature: (await other.sign(Buffer.from(statement))).toString('base64') });
      expect(await problem()).toBe(`window 2 is signed by key ${other.keyId}, not by the exchange's key ${signer.keyId}`);
    });

    it("a window re-signed with another key that claims the exchange's key id", async () => {
      const otherKey = JSON.parse(readFileSync(join(dir, 'keys', 'key.json'), 'utf8')) as { privateKey: string };
      const w = readStored(2);
      const forged = otherKey.privateKey.replace(/^./, (c) => (c === '1' ? '2' : '1'));
      writeStored(2, { ...w, statement: w.statement, signature: sm2Sign(Buffer.from(w.statement), forged).toString('base64') });
      expect(await problem()).toMatch(/^window 2: the signature does not verify with key/);
    });

    it('a window rewritten and re-signed with the right key: the next window no longer follows it', async () => {
      // what only the key holder could do, and still found: window 1's content changed, re-signed
      const w = readStored(1);
      const entries = w.entries.slice(0, 2);
      const { merkleRoot } = await import('../../../functions/shared/evidence/merkle.js');
      const s = { ...parseStatement(w.statement), entries: 2, root: merkleRoot(entries.map((l) => Buffer.from(l))).toString('hex') };
      const statement = statementText(s);
      writeStored(1, { ...w, statement, signature: (await signer.sign(Buffer.from(statement))).toString('base64'), entries });
      expect(await problem()).toMatch(/^window 2 does not follow window 1/);
    });

    it('the last window dropped', async () => {
      unlinkSync(windowPath(3));
      expect(await problem()).toBe('window 3 is missing: the head names window 3 as the newest');
    });

    it('the last window and the head dropped', async () => {
      unlinkSync(windowPath(3));
      unlinkSync(join(dir, 'evidence', 'head.json'));
      expect(await problem()).toBe('the head is missing: window 2 is the newest, and no head names it');
    });

    it('a window in the middle dropped', async () => {
      unlinkSync(windowPath(1));
      expect(await problem()).toBe('window 1 is missing: the head names window 3 as the newest');
    });

    it('a signature written in other base64 that decodes to the same bytes (its padding bits)', async () => {
      const w = readStored(1);
      // a signature of 70 or 71 bytes ends in '==' or '=': the last character before them has unused bits
      const padded = `${w.signature.slice(0, -4)}AB==`;
      expect(Buffer.from(padded, 'base64').toString('base64')).not.toBe(padded);
      writeStored(1, { ...w, signature: padded });
      expect(await problem()).toBe('window 1 is unreadable: the signature is not canonical base64');
    });

    it('spacing changed in a stored window (same content, other bytes)', async () => {
      writeFileSync(windowPath(0), JSON.stringify(readStored(0), null, 1));
      expect(await problem()).toMatch(/^window 0 is unreadable: not written as a credex-evidence-window\/1 document is/);
    });
  });

  it('refuses an entry line not in the entry format', () => {
    const line = entryLine(sendEntry(1));
    expect(parseEntryLine(line).id).toBeDefined();
    expect(() => parseEntryLine(line.replace('{"v":1,', '{ "v":1,'))).toThrow(/not in the entry format/);
    expect(() => parseEntryLine('{"v":2}')).toThrow(/unknown entry version/);
    expect(() => parseEntryLine(line.replace('"kind":"send"', '"kind":"poke"'))).toThrow(/kind/);
  });
});
