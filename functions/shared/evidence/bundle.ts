/**
 * A proof bundle: everything a third party needs to check a record's exchanges with nothing but
 * the bundle — the entries, each with its inclusion proof, the signed statements of their windows,
 * and the public key. Written as JSON with two-space indentation and a final newline, which the
 * verifier requires exactly (any changed byte fails). docs/evidence.md describes it for verifiers.
 */
import { inclusionProofs } from './merkle.js';
import { parseEntryLine, type EvidenceEntry, type SigningAlgorithm } from './format.js';
import { verifyLog, type LogVerification, type TrustedKey } from './chain.js';
import { spkiToPem } from './signer.js';
import type { EvidenceReader } from './store.js';

export const BUNDLE_FORMAT = 'credex-evidence-bundle/1';

export interface RecordSelector {
  recordType: string;
  recordId: string;
  /** Without it, every source's record of that type and id. */
  source?: string;
}

export interface BundleEntry {
  window: number;
  index: number;
  line: string;
  /** The audit path, hex, nearest sibling first (RFC 9162 §2.1.3). */
  proof: string[];
}

export interface ProofBundle {
  format: typeof BUNDLE_FORMAT;
  /** `recordType:source:recordId` (or `recordType:*:recordId` for every source). */
  record: string;
  algorithm: SigningAlgorithm;
  publicKey: string;
  windows: Array<{ statement: string; signature: string }>;
  entries: BundleEntry[];
}

export const bundleText = (bundle: ProofBundle): string => `${JSON.stringify(bundle, null, 2)}\n`;

/**
 * The revision a key names of the selected record, or undefined when the key is another record's.
 * A key is `recordType:source:recordId:revision`, then `:destination` and `:unpublish` on sends; a
 * record id may itself hold `:` (the contract allows it), so what follows the id must be exactly a
 * revision and those suffixes — `A:1:2:provincial` is record `A:1`'s revision 2, never record `A`'s.
 */
export function revisionInKey(key: string, selector: RecordSelector): number | undefined {
  const [type, source] = key.split(':', 2);
  if (type !== selector.recordType || (selector.source !== undefined && source !== selector.source)) return undefined;
  const prefix = `${type}:${source}:${selector.recordId}:`;
  if (!key.startsWith(prefix)) return undefined;
  const rest = /^(\d+)(:[A-Za-z]+)?(:unpublish)?$/.exec(key.slice(prefix.length));
  return rest ? Number(rest[1]) : undefined;
}

/** Whether an entry carried the record. */
export const entryConcerns = (entry: Pick<EvidenceEntry, 'records'>, selector: RecordSelector): boolean =>
  entry.records.some((r) => revisionInKey(r.key, selector) !== undefined);

export interface RecordEvidence {
  verification: LogVerification;
  found: Array<BundleEntry & { entry: EvidenceEntry; statement: { until: string; entries: number } }>;
  windows: Map<number, { statement: string; signature: string }>;
}

/**
 * Every exchange of the record, each with its window and inclusion proof — read while the whole
 * log is verified (a proof from a log that does not verify proves nothing).
 */
export async function findRecordEvidence(store: EvidenceReader, trusted: TrustedKey, selector: RecordSelector): Promise<RecordEvidence> {
  const found: RecordEvidence['found'] = [];
  const windows = new Map<number, { statement: string; signature: string }>();
  const verification = await verifyLog(store, trusted, {
    visit: (window) => {
      let proofs: Buffer[][] | undefined;
      window.entries.forEach((line, index) => {
        const entry = parseEntryLine(line);
        if (!entryConcerns(entry, selector)) return;
        proofs ??= inclusionProofs(window.entries.map((l) => Buffer.from(l, 'utf8')));
        found.push({
          window: window.seq,
          index,
          line,
          proof: proofs[index]!.map((h) => h.toString('hex')),
          entry,
          statement: { until: window.statement.until, entries: window.statement.entries },
        });
        windows.set(window.seq, { statement: window.statementText, signature: window.signature });
      });
    },
  });
  return { verification, found, windows };
}

export function proofBundle(evidence: RecordEvidence, trusted: TrustedKey, algorithm: SigningAlgorithm, selector: RecordSelector): ProofBundle {
  return {
    format: BUNDLE_FORMAT,
    record: `${selector.recordType}:${selector.source ?? '*'}:${selector.recordId}`,
    algorithm,
    publicKey: spkiToPem(trusted.spki),
    windows: [...evidence.windows.entries()].sort(([a], [b]) => a - b).map(([, w]) => w),
    entries: evidence.found.map(({ window, index, line, proof }) => ({ window, index, line, proof })),
  };
}
