/**
 * The evidence log (docs/evidence.md): what it costs per record and how fast it seals.
 *
 *   (1) CPU per entry where it is made: a send's entry (SM3 of the request and response bodies, the
 *       record's canonical JSON and its SM3, the line), for a one-record request and a 50-record
 *       batch, and an ingest entry;
 *   (2) the size of an entry line and of a window per entry, as stored;
 *   (3) sealing alone: Merkle tree, SM2 signature, create-only file, for windows of 1,000 and
 *       20,000 entries; SM2 sign and verify; verifying the log (and the standalone verifier's SM2);
 *   (4) sealing end to end on the SQS emulator (fauxqs): entries sent by outboxes 10 a message,
 *       then sealed by sealPending — entries per second;
 *   (5) the cost per million records, from (2) and the request counts, at the list prices named.
 *
 *   node_modules/.bin/tsx bench/evidence.bench.ts           full run (about a minute), writes bench/results/evidence-<date>.json, appends evidence.md
 *   node_modules/.bin/tsx bench/evidence.bench.ts --quick   a smoke run, nothing written
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readTip, sealWindow, verifyLog } from '../functions/shared/evidence/chain.js';
import { entryLine, sm3Hex, type EvidenceEntry } from '../functions/shared/evidence/format.js';
import { exchangeDigests, isoNow, sqsEvidenceOutbox } from '../functions/shared/evidence/outbox.js';
import { localSigner } from '../functions/shared/evidence/signer.js';
import { fileEvidenceStore } from '../functions/shared/evidence/store.js';
import { generateSm2KeyPair, sm2Sign, sm2Verify } from '../functions/shared/evidence/sm2.js';
import { canonicalJson } from '../functions/shared/records/content-hash.js';
import { sealPending } from '../functions/seal/seal.js';
import { localAwsConfig } from '../local/emulators/clients.js';
import { startSqs } from '../local/emulators/sqs.js';
import { commitment } from '../test/support/records.js';
// @ts-expect-error: plain JavaScript, no declarations (it stands alone)
import { verifyBundle } from '../verifier/verify-evidence-bundle.mjs';
import { environment, recordResults } from './environment.js';
import { fmt, toMarkdown, toText, type Table } from './report.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 5;

/** Median microseconds per call of `fn` over `n` calls, best of ROUNDS rounds' medians. */
function timeUs(n: number, fn: (i: number) => void): number {
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    rounds.push(((performance.now() - start) * 1000) / n);
  }
  return rounds.sort((a, b) => a - b)[Math.floor(rounds.length / 2)]!;
}

const record = commitment({ recordId: 'HRBNA-CN-2026-000123', revision: 2 });
const requestBody = JSON.stringify({ record, signature: 'x'.repeat(64) });
const responseBody = JSON.stringify({ code: 0, message: 'ok', receipt: 'HRB-00000009' });

function sendEntry(records: number): EvidenceEntry {
  const sent = records === 1 ? requestBody : `[${Array.from({ length: records }, () => requestBody).join(',')}]`;
  return {
    v: 1,
    id: randomUUID(),
    kind: 'send',
    party: 'municipal',
    method: 'PUT',
    path: '/openapi/v2/credit/commitment/commitment%3Ahrbxq-approval%3AHRBNA-CN-2026-000123%3A2%3Amunicipal',
    ...exchangeDigests(sent, { body: responseBody }),
    status: 200,
    error: null,
    sentAt: isoNow(),
    answeredAt: isoNow(),
    records: Array.from({ length: records }, (_, i) => ({
      key: `commitment:hrbxq-approval:HRBNA-CN-2026-${String(i).padStart(6, '0')}:2:municipal`,
      recordDigest: sm3Hex(canonicalJson(record)),
      outcome: 'delivered',
      receipt: `HRB-${String(i).padStart(8, '0')}`,
    })),
  };
}

const dirBytes = (dir: string): number => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

async function main(): Promise<void> {
  const loadStart = os.loadavg()[0]!;
  const scratch = mkdtempSync(join(os.tmpdir(), 'credex-evidence-bench-'));
  const tables: Table[] = [];
  try {
    // (1) CPU per entry
    const oneUs = timeUs(quick ? 200 : 5000, () => void entryLine(sendEntry(1)));
    const batchUs = timeUs(quick ? 20 : 500, () => void entryLine(sendEntry(50)));
    const oneLine = entryLine(sendEntry(1));
    const batchLine = entryLine(sendEntry(50));
    tables.push({
      title: 'An entry where it is made (CPU, one core)',
      head: ['entry', 'µs', 'line bytes', 'request body bytes'],
      right: [1, 2, 3],
      rows: [
        ['send of one record (municipal, single-record contract)', fmt.us(oneUs), fmt.int(oneLine.length), fmt.int(Buffer.byteLength(requestBody))],
        ['send of 50 records (a public-column batch)', fmt.us(batchUs), fmt.int(batchLine.length), fmt.int(51 * Buffer.byteLength(requestBody))],
      ],
      note: 'µs: SM3 of both bodies, canonical JSON and SM3 of each record, and the line; median of rounds.',
    });

    // (3) sealing alone, and verifying
    const signer = localSigner(join(scratch, 'key.json'));
    const trusted = { spki: await signer.publicKey(), keyId: signer.keyId };
    const sealRows: string[][] = [];
    const sealFigures: Record<string, number> = {};
    for (const size of quick ? [1000] : [1000, 20_000]) {
      const store = fileEvidenceStore(join(scratch, `seal-${size}`));
      const lines = Array.from({ length: size }, () => entryLine(sendEntry(1)));
      const windows = quick ? 2 : 5;
      let tip = await readTip(store);
      const start = performance.now();
      for (let w = 0; w < windows; w++) tip = (await sealWindow(store, signer, 'bench', tip, lines, { from: isoNow(), until: isoNow() })).tip;
      const sealMs = (performance.now() - start) / windows;
      const verifyStart = performance.now();
      const v = await verifyLog(store, trusted);
      const verifyMs = (performance.now() - verifyStart) / windows;
      if (!v.ok) throw new Error(`the bench's own log does not verify: ${v.problem}`);
      const stored = dirBytes(join(scratch, `seal-${size}`, 'windows')) / (windows * size);
      sealFigures[`seal${size}EntriesPerSecond`] = (size / sealMs) * 1000;
      sealFigures[`verify${size}EntriesPerSecond`] = (size / verifyMs) * 1000;
      sealFigures[`storedBytesPerEntry${size}`] = stored;
      sealRows.push([fmt.int(size), fmt.ms(sealMs), fmt.rate((size / sealMs) * 1000), fmt.ms(verifyMs), fmt.rate((size / verifyMs) * 1000), fmt.int(stored)]);
    }
    tables.push({
      title: 'Sealing and verifying a window (one core, files)',
      head: ['entries a window', 'seal ms', 'sealed entries/s', 'verify ms', 'verified entries/s', 'stored bytes/entry'],
      right: [0, 1, 2, 3, 4, 5],
      rows: sealRows,
      note: 'Seal: Merkle tree (SM3), statement, SM2 signature, create-only write, head. Verify: parse, tree, signature, chain (credex evidence verify).',
    });
    const pair = generateSm2KeyPair();
    const message = Buffer.from('credex-evidence-window/1\nstage bench\n');
    const signature = sm2Sign(message, pair.privateKey);
    const signUs = timeUs(quick ? 20 : 200, () => void sm2Sign(message, pair.privateKey));
    const verifyUs = timeUs(quick ? 20 : 200, () => void sm2Verify(message, signature, pair.publicKeySpki));
    const bundleStore = fileEvidenceStore(join(scratch, 'bundle'));
    const bundleTip = await sealWindow(bundleStore, signer, 'bench', undefined, [oneLine], { from: isoNow(), until: isoNow() });
    void bundleTip;
    const { findRecordEvidence, proofBundle, bundleText } = await import('../functions/shared/evidence/bundle.js');
    const selector = { recordType: 'commitment', recordId: 'HRBNA-CN-2026-000000' };
    const bundle = bundleText(proofBundle(await findRecordEvidence(bundleStore, trusted, selector), trusted, signer.algorithm, selector));
    const standaloneUs = timeUs(quick ? 10 : 100, () => void verifyBundle(bundle));
    tables.push({
      title: 'SM2 (one core)',
      head: ['operation', 'µs'],
      right: [1],
      rows: [
        ['sign (functions/shared/evidence/sm2.ts, @noble/curves)', fmt.us(signUs)],
        ['verify (the same)', fmt.us(verifyUs)],
        ['a one-window bundle, standalone verifier (BigInt, no dependency)', fmt.us(standaloneUs)],
      ],
    });

    // (4) end to end on fauxqs
    const sqsServer = await startSqs();
    const sqs = new SQSClient(localAwsConfig(sqsServer.endpoint));
    let e2e: { entries: number; sendMs: number; sealMs: number; windows: number };
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'evidence-bench', Attributes: { VisibilityTimeout: '60' } }));
      const total = quick ? 1000 : 20_000;
      const sendStart = performance.now();
      for (let i = 0; i < total; i += 10) {
        const outbox = sqsEvidenceOutbox(sqs, QueueUrl!);
        for (let j = 0; j < 10; j++) outbox.add(sendEntry(1));
        await outbox.flush();
      }
      const sendMs = performance.now() - sendStart;
      const store = fileEvidenceStore(join(scratch, 'e2e'));
      const sealStart = performance.now();
      let sealed = 0;
      let windows = 0;
      while (sealed < total) {
        const r = await sealPending({
          sqs,
          store,
          signer,
          config: { stage: 'bench', queueUrl: QueueUrl!, maxEntriesPerWindow: 20_000, lookbackWindows: 10 },
          logger: { info: () => {}, warn: () => {}, error: () => {} },
          metrics: { count: () => {} },
          remainingMs: () => 120_000,
        });
        if (r.entries === 0) break;
        sealed += r.entries;
        windows += r.windows;
      }
      e2e = { entries: sealed, sendMs, sealMs: performance.now() - sealStart, windows };
      if (sealed !== total) throw new Error(`sealed ${sealed} of ${total} entries`);
    } finally {
      sqs.destroy();
      await sqsServer.stop();
    }
    tables.push({
      title: 'End to end on the SQS emulator (fauxqs): outboxes of 10 entries, then the sealer',
      head: ['entries', 'send ms', 'entries sent/s', 'seal ms', 'sealed entries/s', 'windows'],
      right: [0, 1, 2, 3, 4, 5],
      rows: [
        [
          fmt.int(e2e.entries),
          fmt.int(e2e.sendMs),
          fmt.rate((e2e.entries / e2e.sendMs) * 1000),
          fmt.int(e2e.sealMs),
          fmt.rate((e2e.entries / e2e.sealMs) * 1000),
          fmt.int(e2e.windows),
        ],
      ],
      note: 'The sealer receives 10 messages a request (100 entries here) and deletes 10 a request: fauxqs on this machine bounds it, not the sealing.',
    });

    // (5) cost per million records: a public commitment pushed by its upstream and sent to 3 destinations
    // (municipal: a request a record; provincial: batches of 20; public column: batches of 50)
    const refBytes = (batchLine.length - oneLine.length) / 49;
    const headerBytes = oneLine.length - refBytes;
    const share = 1 / 20 + 1 / 50 + 1 / 100; // a provincial, a public-column and an ingest request's share of one record
    const perRecord = {
      entries: 1 + share,
      bytes: oneLine.length + 3 * refBytes + headerBytes * share,
      // evidence messages: one per invocation at full batches (municipal 10, provincial 20, public column 50), one per ingest request of 100;
      // a trickle (one record an invocation) sends one per destination and one per push
      messages: { fullBatches: 1 / 10 + 1 / 20 + 1 / 50 + 1 / 100, trickle: 4 },
    };
    // each message: one SendMessage, and a tenth of a ReceiveMessage and of a DeleteMessageBatch
    const sqsRequests = (messages: number) => messages * 1.2;
    const prices = { sqsPerMillion: 0.4, s3GbMonth: 0.023, s3PutPer1000: 0.005, kmsAsymPer10000: 0.15 };
    const storedGb = (perRecord.bytes * 1e6) / 1e9;
    const fixedPerMonth = 43_200 * ((2 * prices.s3PutPer1000) / 1000 + prices.kmsAsymPer10000 / 10_000);
    const dollars = (n: number) => `$${n.toFixed(2)}`;
    tables.push({
      title: 'Cost per million records (a public commitment pushed, then sent to 3 destinations)',
      head: ['item', 'per record', 'per million records'],
      right: [1, 2],
      rows: [
        ['entries', perRecord.entries.toFixed(2), fmt.int(perRecord.entries * 1e6)],
        ['bytes stored (entry lines in windows)', fmt.int(perRecord.bytes), `${storedGb.toFixed(2)} GB`],
        [
          'SQS requests, full batches',
          sqsRequests(perRecord.messages.fullBatches).toFixed(2),
          dollars(sqsRequests(perRecord.messages.fullBatches) * prices.sqsPerMillion),
        ],
        [
          'SQS requests, a trickle (one record an invocation)',
          sqsRequests(perRecord.messages.trickle).toFixed(2),
          dollars(sqsRequests(perRecord.messages.trickle) * prices.sqsPerMillion),
        ],
        ['S3 storage: a month / kept five years', '', `${dollars(storedGb * prices.s3GbMonth)} / ${dollars(storedGb * prices.s3GbMonth * 60)}`],
        ['DynamoDB requests', '0', '$0.00'],
        ['the sealer, fixed: 43,200 windows a month (2 PUTs and 1 kms:Sign each)', '', `${dollars(fixedPerMonth)} a month, whatever the volume`],
      ],
      note: 'List prices (us-east-1, USD): SQS $0.40 per million requests, S3 Standard $0.023 per GB-month, PUT $0.005 per 1,000, KMS asymmetric Sign $0.15 per 10,000; the China Regions price in CNY. The sealer Lambda (512 MB, a run a minute) adds about $0.10 a month.',
    });

    for (const t of tables) console.log(`\n${toText(t)}`);
    const loadEnd = os.loadavg()[0]!;
    if (!quick) {
      const env = environment(['functions/shared/evidence', 'functions/seal', 'verifier', 'bench/evidence.bench.ts']);
      const machine = `${String(env['cpu']).split(' ').slice(0, 2).join(' ')}, ${os.cpus().length} cores, Node ${process.version}, commit ${String(env['commit'])}${env['uncommittedChanges'] ? ' (uncommitted changes)' : ''}; load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end`;
      recordResults({
        name: 'evidence',
        intro:
          '# Evidence log benchmark results\n\nAppended by `tsx bench/evidence.bench.ts` (see bench/README.md): entries made, windows sealed and verified, end to end on fauxqs, and the cost per million records. What they mean: docs/capacity.md, "Evidence log".\n',
        machine,
        env,
        load: { start: loadStart, end: loadEnd },
        json: {
          entryUs: { one: oneUs, batch50: batchUs },
          lineBytes: { one: oneLine.length, batch50: batchLine.length },
          ...sealFigures,
          sm2: { signUs, verifyUs, standaloneBundleUs: standaloneUs },
          endToEnd: e2e,
          perRecord,
          prices,
          fixedPerMonth,
        },
        lines: tables.flatMap((t) => [toMarkdown(t), '']),
      });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
