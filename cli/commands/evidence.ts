/**
 * `credex evidence show | proof | verify`: the evidence log (docs/evidence.md) — every exchange of
 * a record with its window and inclusion proof; a self-contained proof bundle for a dispute; and a
 * check of the whole log (every entry, root, signature and link). Locally the log is read from the
 * data directory, so it works after the runtime has stopped; on AWS from the stage's Object Lock
 * bucket, with the public key of its KMS signing key.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Argument, type Command } from 'commander';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { bundleText, findRecordEvidence, proofBundle, revisionInKey, type RecordSelector } from '../../functions/shared/evidence/bundle.js';
import { verifyLog, type LogVerification, type TrustedKey } from '../../functions/shared/evidence/chain.js';
import type { SigningAlgorithm } from '../../functions/shared/evidence/format.js';
import { keyFingerprint, kmsPublicKey, localPublicKey } from '../../functions/shared/evidence/signer.js';
import { fileEvidenceStore, s3EvidenceReader, type EvidenceReader } from '../../functions/shared/evidence/store.js';
import { TARGET_HELP, UsageError, withTargetOptions, type CommandContext } from '../context.js';
import { ExitCode } from '../io.js';
import { table, writeJson } from '../render.js';
import { DEFAULT_LOCAL_DATA_DIR, resolveTarget, TargetError, type TargetOptions } from '../target.js';
import { parseRecordType } from './inspect.js';
import { existsSync } from 'node:fs';

export const EVIDENCE_EXAMPLES = `
Examples:
  $ credex evidence verify --local                                   check the whole local log
  $ credex evidence verify --since 2026-12-01 --stage prod           check it, report December's windows
  $ credex evidence show breach HXSJ-CF-2026-000036 --stage prod     every exchange of a record
  $ credex evidence proof repair HRBNA-XF-2026-000007 --out proof.json --stage prod
  $ node verifier/verify-evidence-bundle.mjs proof.json              check a bundle with nothing but Node.js
`;

const EVIDENCE_NOTES = `
Every request to a platform, every page read from the provincial feed and every push an upstream
made is an entry: who, when, the status, SM3 digests of the exact bytes sent and received, the
records it carried (digests and keys, never personal data) and the platform's receipt. The sealer
gathers entries into windows (one a minute on AWS), each a Merkle tree whose root, span and the
previous window's hash are signed (SM2 with KMS in the China Regions; locally a key file under the
data directory). docs/evidence.md has the formats and how to check a bundle by hand.

--local [dir] reads <dir>/evidence and <dir>/keys (default .credex-local): the runtime need not run.

Exit status: 0 the log holds (show, proof: and the record has entries) · 1 the log does not hold: the
first broken window or entry is named · 2 bad usage · 3 the record has no entries · 4 the log cannot
be reached
`;

interface EvidenceOptions extends TargetOptions {
  source?: string;
  json?: boolean;
  since?: string;
  until?: string;
  out?: string;
}

/** The log, read only, and the key its windows must be signed by (operators can read, never write or sign). */
interface OpenLog {
  store: EvidenceReader;
  key: { keyId: string; algorithm: SigningAlgorithm; publicKey(): Promise<Buffer> };
  where: string;
  close(): void;
}

/** The log the options name: a local data directory (no server needed), or a stage's bucket and key. */
async function openLog(options: EvidenceOptions, env: NodeJS.ProcessEnv): Promise<OpenLog> {
  // the local log is read from the data directory: the runtime need not be running
  if (options.local !== undefined && options.local !== false && options.target === undefined) {
    const dir = resolve(typeof options.local === 'string' ? options.local : DEFAULT_LOCAL_DATA_DIR);
    const keyFile = join(dir, 'keys', 'evidence-signing-key.json');
    if (!existsSync(keyFile)) {
      throw new TargetError(
        `no evidence log in ${dir} (no ${join('keys', 'evidence-signing-key.json')}): run \`npm start\` there first, or name the data directory: --local <dir>`,
      );
    }
    return { store: fileEvidenceStore(join(dir, 'evidence')), key: localPublicKey(keyFile), where: join(dir, 'evidence'), close: () => undefined };
  }
  const target = await resolveTarget(options, env);
  const evidence = target.evidence;
  if (evidence && 'dir' in evidence) {
    if (!existsSync(evidence.keyFile)) throw new TargetError(`${target.origin}: no evidence signing key at ${evidence.keyFile}`);
    return { store: fileEvidenceStore(evidence.dir), key: localPublicKey(evidence.keyFile), where: evidence.dir, close: () => undefined };
  }
  if (!evidence) throw new TargetError(`${target.origin} names no evidence bucket and signing key (a stack deployed before the evidence log?)`);
  const config = { region: target.region, ...(options.profile && { profile: options.profile }) };
  const s3 = new S3Client(config);
  const kms = new KMSClient(config);
  return {
    store: s3EvidenceReader(s3, evidence.bucket),
    key: { keyId: evidence.keyArn, algorithm: evidence.algorithm, publicKey: () => kmsPublicKey(kms, evidence.keyArn) },
    where: `s3://${evidence.bucket}`,
    close: () => {
      s3.destroy();
      kms.destroy();
    },
  };
}

async function onLog(
  context: CommandContext,
  options: EvidenceOptions,
  action: (log: OpenLog, trusted: TrustedKey, algorithm: SigningAlgorithm) => Promise<number>,
) {
  let log: OpenLog | undefined;
  try {
    log = await openLog(options, context.io.env ?? process.env);
    const trusted = { spki: await log.key.publicKey(), keyId: log.key.keyId };
    context.setExitCode(await action(log, trusted, log.key.algorithm));
  } catch (err) {
    const e = err as Error & { $metadata?: unknown; code?: string };
    if (!(err instanceof UsageError || err instanceof TargetError || e.$metadata !== undefined || (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code))))
      throw err;
    context.io.stderr.write(`credex: ${e.message}\n`);
    context.setExitCode(err instanceof UsageError || (err instanceof TargetError && err.usage) ? ExitCode.unreadable : ExitCode.unavailable);
  } finally {
    log?.close();
  }
}

const describeSpan = (v: LogVerification) => (v.first && v.last ? `, ${v.first.from} – ${v.last.until}` : '');

function reportBroken(context: CommandContext, where: string, v: LogVerification): number {
  context.io.stderr.write(
    `credex: the evidence log at ${where} does not hold: ${v.problem}\n(checked ${v.windows} windows and ${v.entries} entries before it)\n`,
  );
  return ExitCode.invalid;
}

const checkTime = (value: string | undefined, flag: string): string | undefined => {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`${flag} ${JSON.stringify(value)} is not a date or time (like 2026-12-01 or 2026-12-01T08:00:00Z)`);
  return new Date(ms).toISOString();
};

export function registerEvidenceCommand(program: Command, context: CommandContext): void {
  const evidence = program
    .command('evidence')
    .description('the signed evidence log: what was exchanged with each platform, provably')
    .addHelpText('after', `${EVIDENCE_EXAMPLES}${EVIDENCE_NOTES}`);

  withTargetOptions(
    evidence
      .command('verify')
      .description('check every window of the log: entries, Merkle roots, signatures, the chain and its head')
      .option('--since <time>', 'report only windows that end at or after this time (the whole chain is still checked)')
      .option('--until <time>', 'report only windows that start at or before this time')
      .option('--json', 'one JSON document: {ok, windows, entries, from, until, problem, key}'),
  )
    .addHelpText('after', `${EVIDENCE_EXAMPLES}${EVIDENCE_NOTES}${TARGET_HELP}`)
    .action((options: EvidenceOptions) =>
      onLog(context, options, async (log, trusted) => {
        const since = checkTime(options.since, '--since');
        const until = checkTime(options.until, '--until');
        const v = await verifyLog(log.store, trusted, { ...(since && { since }), ...(until && { until }) });
        if (options.json) {
          writeJson(context.io, {
            ok: v.ok,
            windows: v.windows,
            entries: v.entries,
            from: v.first?.from ?? null,
            until: v.last?.until ?? null,
            problem: v.problem ?? null,
            key: { id: trusted.keyId, fingerprint: keyFingerprint(trusted.spki) },
          });
          return v.ok ? ExitCode.ok : ExitCode.invalid;
        }
        if (!v.ok) return reportBroken(context, log.where, v);
        context.io.stdout.write(
          `evidence log at ${log.where}: ${v.windows} windows, ${v.entries} entries${describeSpan(v)}\n` +
            `every entry, Merkle root, signature and link holds (key ${trusted.keyId}, fingerprint ${keyFingerprint(trusted.spki)})\n`,
        );
        return ExitCode.ok;
      }),
    );

  const recordCommand = (name: string, description: string) =>
    withTargetOptions(
      evidence
        .command(name)
        .description(description)
        .addArgument(new Argument('<recordType>', 'commitment, breach or repair').argParser(parseRecordType))
        .argument('<recordId>', "the record's id in its source system")
        .option('--source <source>', 'the source system that sent it (default: every source)'),
    ).addHelpText('after', `${EVIDENCE_EXAMPLES}${EVIDENCE_NOTES}${TARGET_HELP}`);

  recordCommand('show', 'every exchange of a record: when, with whom, the answer, its window and inclusion proof')
    .option('--json', 'one JSON document: {record, log, exchanges: [{window, index, proof, entry}]}')
    .action((recordType: string, recordId: string, options: EvidenceOptions) =>
      onLog(context, options, async (log, trusted) => {
        const selector: RecordSelector = { recordType, recordId, ...(options.source && { source: options.source }) };
        const found = await findRecordEvidence(log.store, trusted, selector);
        if (!found.verification.ok) return reportBroken(context, log.where, found.verification);
        if (options.json) {
          writeJson(context.io, {
            record: selector,
            log: { where: log.where, windows: found.verification.windows, entries: found.verification.entries },
            exchanges: found.found.map(({ window, index, proof, entry }) => ({ window, index, proof, entry })),
          });
          return found.found.length ? ExitCode.ok : ExitCode.notFound;
        }
        if (found.found.length === 0) {
          context.io.stderr.write(
            `credex: no exchange of ${recordType} ${recordId} in the evidence log at ${log.where} (${found.verification.windows} windows checked)\n`,
          );
          return ExitCode.notFound;
        }
        const rows = [['sent at', 'kind', 'party', 'request', 'status', 'this record', 'window', 'proof']];
        for (const { window, index, proof, entry } of found.found) {
          const mine = entry.records.find((r) => revisionInKey(r.key, selector) !== undefined)!;
          const said = [mine.outcome, mine.receipt && `receipt ${mine.receipt}`, `revision ${revisionInKey(mine.key, selector)}`].filter(Boolean).join(', ');
          rows.push([
            entry.sentAt,
            entry.kind,
            entry.party,
            `${entry.method} ${entry.path}`,
            entry.status === null ? (entry.error ?? 'no answer') : String(entry.status),
            said,
            `${window} #${index}`,
            `${proof.length} hashes`,
          ]);
        }
        context.io.stdout.write(
          `${recordType} ${recordId}: ${found.found.length} exchanges in ${found.windows.size} windows\n\n` +
            `${table(rows, { align: ['left', 'left', 'left', 'left', 'right', 'left', 'right', 'right'] })}\n\n` +
            `each is in its window's signed Merkle tree; the whole log holds (${found.verification.windows} windows, ${found.verification.entries} entries). ` +
            `For a dispute: credex evidence proof ${recordType} ${recordId} --out <file>\n`,
        );
        return ExitCode.ok;
      }),
    );

  recordCommand('proof', "write a self-contained proof bundle of a record's exchanges (verify it with verifier/verify-evidence-bundle.mjs)")
    .requiredOption('--out <file>', 'where to write the bundle (JSON)')
    .action((recordType: string, recordId: string, options: EvidenceOptions) =>
      onLog(context, options, async (log, trusted, algorithm) => {
        const selector: RecordSelector = { recordType, recordId, ...(options.source && { source: options.source }) };
        const found = await findRecordEvidence(log.store, trusted, selector);
        if (!found.verification.ok) return reportBroken(context, log.where, found.verification);
        if (found.found.length === 0) {
          context.io.stderr.write(`credex: no exchange of ${recordType} ${recordId} in the evidence log at ${log.where}: no bundle written\n`);
          return ExitCode.notFound;
        }
        writeFileSync(options.out!, bundleText(proofBundle(found, trusted, algorithm, selector)));
        context.io.stdout.write(
          `${options.out}: ${found.found.length} exchanges of ${recordType} ${recordId} from ${found.windows.size} windows, signed by key ${trusted.keyId} ` +
            `(fingerprint ${keyFingerprint(trusted.spki)}).\nAnyone can check it: node verifier/verify-evidence-bundle.mjs ${options.out}\n`,
        );
        return ExitCode.ok;
      }),
    );
}
