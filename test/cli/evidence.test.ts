/**
 * The evidence log against the real local runtime: every request the simulators received has
 * exactly one sealed entry; `credex evidence verify | show | proof` on it; a bundle checked by the
 * standalone verifier; and the cheats the log must catch, each done to the runtime's own files and
 * named by `credex evidence verify --local`.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { run } from '../../cli/main.js';
import { localSigner } from '../../functions/shared/evidence/signer.js';
import { breach, commitment } from '../support/records.js';
import { recordPusher, sealedEntries, unevidencedRequests } from '../e2e/support.js';
import { startCliHarness, type CliHarness, type CliOutcome } from './runtime-harness.js';

const COMMITMENT_ID = 'HRBNA-CN-2026-910001';
let harness: CliHarness;
let dataDir: string;
let scratch: string;

/** `credex …` in-process, with no target file: what an operator types. */
async function credex(argv: readonly string[]): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const code = await run([...argv], {
    stdin: Readable.from([]),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
  });
  return { code, stdout, stderr };
}

interface StoredWindow {
  format: string;
  statement: string;
  signature: string;
  entries: string[];
}
const windowFiles = (dir: string) => readdirSync(join(dir, 'evidence', 'windows')).sort();
const entriesIn = (dir: string) =>
  windowFiles(dir).flatMap((f) =>
    (JSON.parse(readFileSync(join(dir, 'evidence', 'windows', f), 'utf8')) as StoredWindow).entries.map((l) => JSON.parse(l) as { id: string; kind: string }),
  );

/** A copy of the runtime's data directory's evidence and key, to cheat on. */
function copyOfLog(): string {
  const copy = mkdtempSync(join(scratch, 'cheat-'));
  cpSync(join(dataDir, 'evidence'), join(copy, 'evidence'), { recursive: true });
  cpSync(join(dataDir, 'keys'), join(copy, 'keys'), { recursive: true });
  return copy;
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'credex-evidence-e2e-'));
  dataDir = join(scratch, 'data');
  // the servers in memory (as every harness test); the evidence log and its key under dataDir
  harness = await startCliHarness({ evidenceDir: dataDir, sealIntervalSeconds: 0 });
  const pusher = recordPusher(() => harness.runtime);
  await pusher.push(commitment({ recordId: COMMITMENT_ID, revision: 1 }));
  await pusher.push(breach({ recordId: 'HXSJ-CF-2026-910002' }));
  await pusher.settled();
  await harness.runtime.sealNow();
  await pusher.push(commitment({ recordId: COMMITMENT_ID, revision: 2, occurredAt: '2026-03-03T09:30:00+08:00' }));
  await pusher.settled();
  await harness.runtime.pullNow();
  await harness.runtime.sealNow();
});

afterAll(async () => {
  await harness?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the evidence log of a running exchange', () => {
  it('has a sealed entry for every request the simulators received, and one for every push, each sealed once', () => {
    const entries = sealedEntries(dataDir);
    expect(entries.filter((e) => e.kind === 'send').length).toBeGreaterThan(0);
    expect(unevidencedRequests(entries, harness.runtime.simulators)).toEqual([]);
    expect(entries.filter((e) => e.kind === 'ingest')).toHaveLength(3);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
  });

  it('verifies: `credex evidence verify --local <dir>` exits 0 and says what it checked', async () => {
    const out = await credex(['evidence', 'verify', '--local', dataDir]);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    const total = entriesIn(dataDir).length;
    expect(out.stdout).toMatch(new RegExp(`^evidence log at .*: ${windowFiles(dataDir).length} windows, ${total} entries, `));
    expect(out.stdout).toMatch(/every entry, Merkle root, signature and link holds \(key local:[0-9a-f]{32}/);
    const json = JSON.parse((await credex(['evidence', 'verify', '--local', dataDir, '--json'])).stdout) as { ok: boolean; entries: number };
    expect(json).toMatchObject({ ok: true, entries: total });
  });

  it("shows a record's exchanges: the push of each revision, and each destination's delivery with its receipt", async () => {
    const out = await credex(['evidence', 'show', 'commitment', COMMITMENT_ID, '--local', dataDir, '--json']);
    expect(out.code).toBe(0);
    const shown = JSON.parse(out.stdout) as { exchanges: Array<{ entry: { kind: string; party: string; records: Array<{ key: string; outcome?: string }> } }> };
    const kinds = shown.exchanges.map((x) => `${x.entry.kind}:${x.entry.party}`);
    expect(kinds.filter((k) => k.startsWith('ingest:'))).toHaveLength(2);
    for (const d of ['municipal', 'provincial', 'publicColumn']) expect(kinds).toContain(`send:${d}`);
    expect((await credex(['evidence', 'show', 'commitment', 'HRBNA-CN-2026-999999', '--local', dataDir])).code).toBe(3);
  });

  it('writes a bundle the standalone verifier accepts, and refuses once a byte is changed', async () => {
    const file = join(scratch, 'bundle.json');
    const out = await credex(['evidence', 'proof', 'commitment', COMMITMENT_ID, '--local', dataDir, '--out', file]);
    expect(out.code).toBe(0);
    const exec = promisify(execFile);
    const ok = await exec(process.execPath, ['verifier/verify-evidence-bundle.mjs', file]);
    expect(ok.stdout).toMatch(new RegExp(`^VERIFIED: \\d+ exchanges of commitment:\\*:${COMMITMENT_ID}, stage local, signed with SM2DSA`));
    const text = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      text.replace(/"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:)(\d)/, (_, a: string, b: string) => `"${a}${(Number(b) + 1) % 10}`),
    );
    await expect(exec(process.execPath, ['verifier/verify-evidence-bundle.mjs', file])).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^NOT VERIFIED: /),
    });
  });

  describe('catches every cheat on the files, naming where', () => {
    const verify = async (dir: string) => {
      const out = await credex(['evidence', 'verify', '--local', dir]);
      expect(out.code).toBe(1);
      return out.stderr;
    };
    const windowPath = (dir: string, i: number) => join(dir, 'evidence', 'windows', windowFiles(dir)[i]!);
    const rewrite = (path: string, change: (w: StoredWindow) => StoredWindow) =>
      writeFileSync(path, `${JSON.stringify(change(JSON.parse(readFileSync(path, 'utf8')) as StoredWindow))}\n`);
    const busiest = (dir: string) =>
      windowFiles(dir).findIndex((_, i) => (JSON.parse(readFileSync(windowPath(dir, i), 'utf8')) as StoredWindow).entries.length > 1);

    it('an entry deleted', async () => {
      const dir = copyOfLog();
      const i = busiest(dir);
      rewrite(windowPath(dir, i), (w) => ({ ...w, entries: w.entries.slice(1) }));
      expect(await verify(dir)).toMatch(new RegExp(`does not hold: window ${i} holds \\d+ entries; its statement says`));
    });

    it('a byte of an entry edited', async () => {
      const dir = copyOfLog();
      rewrite(windowPath(dir, 0), (w) => ({
        ...w,
        entries: [w.entries[0]!.replace(/"status":(\d)/, (_, d: string) => `"status":${(Number(d) + 1) % 10}`), ...w.entries.slice(1)],
      }));
      expect(await verify(dir)).toMatch(/does not hold: window 0: its entries hash to [0-9a-f]{64}, the signed root is/);
    });

    it('two windows swapped', async () => {
      const dir = copyOfLog();
      const [a, b] = [windowPath(dir, 0), windowPath(dir, 1)];
      renameSync(a, `${a}.tmp`);
      renameSync(b, a);
      renameSync(`${a}.tmp`, b);
      expect(await verify(dir)).toMatch(/does not hold: window 0 holds the statement of window 1 \(windows swapped or renamed\)/);
    });

    it('a window re-signed with another key', async () => {
      const dir = copyOfLog();
      const other = localSigner(join(scratch, `other-${Date.now()}.json`));
      rewrite(windowPath(dir, 1), (w) => ({ ...w, signature: '' }));
      const path = windowPath(dir, 1);
      const w = JSON.parse(readFileSync(path, 'utf8')) as StoredWindow;
      const signature = (await other.sign(Buffer.from(w.statement))).toString('base64');
      writeFileSync(path, `${JSON.stringify({ ...w, signature })}\n`);
      expect(await verify(dir)).toMatch(/does not hold: window 1: the signature does not verify with key local:/);
    });

    it('the last window dropped', async () => {
      const dir = copyOfLog();
      const last = windowFiles(dir).length - 1;
      unlinkSync(windowPath(dir, last));
      expect(await verify(dir)).toMatch(new RegExp(`does not hold: window ${last} is missing: the head names window ${last} as the newest`));
    });
  });
});
