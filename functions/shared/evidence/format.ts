/**
 * The evidence log's formats (docs/evidence.md): an entry per exchange, as one line of JSON; a
 * window of entries sealed by a signed statement; the log's head. A verifier hashes an entry's line
 * exactly as stored and parses a statement's fixed text: nothing needs canonicalising.
 */
import { createHash } from 'node:crypto';
import type { SigningAlgorithm } from '../../../topology/evidence.js';
import { maskIdNumbersIn } from '../records/identifiers.js';

export const WINDOW_FORMAT = 'credex-evidence-window/1';
export const HEAD_FORMAT = 'credex-evidence-head/1';
/** The `previous` of the first window. */
export const GENESIS = '0'.repeat(64);
export { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../../../topology/evidence.js';

export const sm3Hex = (data: string | Uint8Array): string => createHash('sm3').update(data).digest('hex');

/** A record an exchange carried: its key, the digest of its canonical record, what the platform said of it. */
export interface EvidenceRecordRef {
  /** `recordType:source:recordId:revision[:destination][:unpublish]`: names the record, never its content. */
  key: string;
  /** SM3 (hex) of the record's canonical JSON (keys sorted), when the exchange carried the record's content. */
  recordDigest?: string;
  /** Send: what the answer meant for this record (delivered, rejected, transient). */
  outcome?: string;
  /** The platform's receipt for this record, when it gave one. */
  receipt?: string;
}

const RECORD_KEY_PARTS = {
  recordType: /^[A-Za-z]{1,32}$/,
  source: /^[a-z][a-z0-9-]{1,62}[a-z0-9]$/,
  recordId: /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
};

/**
 * The key of a record as received (pushed or read from the feed, not validated yet):
 * `recordType:source:recordId:revision`, when each part has its contract's shape — else none (the
 * body's digest still covers it). An identity number used as an id is masked: what is locked in
 * the log for years must hold no personal data, whatever an upstream sends.
 */
export function receivedRecordKey(record: unknown): string | undefined {
  const r = record as Record<string, unknown> | null;
  if (!r || typeof r !== 'object') return undefined;
  const { recordType, source, recordId, revision } = r;
  if (typeof recordType !== 'string' || !RECORD_KEY_PARTS.recordType.test(recordType)) return undefined;
  if (typeof source !== 'string' || !RECORD_KEY_PARTS.source.test(source)) return undefined;
  if (typeof recordId !== 'string' || !RECORD_KEY_PARTS.recordId.test(recordId)) return undefined;
  if (!(Number.isSafeInteger(revision) && (revision as number) >= 1)) return undefined;
  return maskIdNumbersIn(`${recordType}:${source}:${recordId}:${String(revision)}`);
}

/** One exchange with a platform or an upstream. Digests and references only: no personal data. */
export interface EvidenceEntry {
  v: 1;
  /** Unique per exchange (a UUID). */
  id: string;
  /** send: a request to a destination · pull: a page read from a feed · ingest: a push received from an upstream. */
  kind: 'send' | 'pull' | 'ingest';
  /** The destination, the feed (`provincial-feed`) or the upstream. */
  party: string;
  method: string;
  /** The request's path and query (identity numbers masked). */
  path: string;
  /** SM3 (hex) of the exact request body bytes (of no bytes when there was no body), and their number. */
  requestDigest: string;
  requestBytes: number;
  /** The HTTP status answered; null when no answer came (`error` says why). */
  status: number | null;
  error: 'timeout' | 'network' | null;
  responseDigest: string | null;
  responseBytes: number | null;
  /** ISO 8601 UTC, milliseconds. */
  sentAt: string;
  answeredAt: string | null;
  records: EvidenceRecordRef[];
  /** Pull: the cursor the page was read from; ingest: the upstream's request id. */
  reference?: string;
}

/** The entry as the line that is hashed into the tree: members in a fixed order, no whitespace. */
export function entryLine(entry: EvidenceEntry): string {
  const ordered = {
    v: entry.v,
    id: entry.id,
    kind: entry.kind,
    party: entry.party,
    method: entry.method,
    path: entry.path,
    requestDigest: entry.requestDigest,
    requestBytes: entry.requestBytes,
    status: entry.status,
    error: entry.error,
    responseDigest: entry.responseDigest,
    responseBytes: entry.responseBytes,
    sentAt: entry.sentAt,
    answeredAt: entry.answeredAt,
    records: entry.records.map((r) => ({
      key: r.key,
      ...(r.recordDigest !== undefined && { recordDigest: r.recordDigest }),
      ...(r.outcome !== undefined && { outcome: r.outcome }),
      ...(r.receipt !== undefined && { receipt: r.receipt }),
    })),
    ...(entry.reference !== undefined && { reference: entry.reference }),
  };
  return JSON.stringify(ordered);
}

/** The entry a line holds, or why it is not one (checked where lines arrive: the sealer). */
export function parseEntryLine(line: string): EvidenceEntry {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error('not JSON');
  }
  const e = value as Partial<EvidenceEntry> | null;
  if (!e || typeof e !== 'object' || Array.isArray(e)) throw new Error('not a JSON object');
  if (e.v !== 1) throw new Error(`unknown entry version ${JSON.stringify(e.v)}`);
  for (const field of ['id', 'kind', 'party', 'method', 'path', 'requestDigest', 'sentAt'] as const) {
    if (typeof e[field] !== 'string' || e[field] === '') throw new Error(`${field}: missing or not a string`);
  }
  if (!['send', 'pull', 'ingest'].includes(e.kind!)) throw new Error(`kind: ${JSON.stringify(e.kind)} is not send, pull or ingest`);
  const integerOrNull = (v: unknown) => v === null || Number.isSafeInteger(v);
  const stringOrNull = (v: unknown) => v === null || typeof v === 'string';
  if (!Number.isSafeInteger(e.requestBytes) || !integerOrNull(e.status) || !integerOrNull(e.responseBytes)) {
    throw new Error('requestBytes, status and responseBytes must be integers (status and responseBytes may be null)');
  }
  if (!stringOrNull(e.error) || !stringOrNull(e.responseDigest) || !stringOrNull(e.answeredAt))
    throw new Error('error, responseDigest and answeredAt must be strings or null');
  if (!Array.isArray(e.records)) throw new Error('records: missing or not a list');
  for (const [i, r] of e.records.entries()) {
    const ref = r as Partial<EvidenceRecordRef> | null;
    if (!ref || typeof ref !== 'object' || typeof ref.key !== 'string' || ref.key === '') throw new Error(`records[${i}]: no key`);
    for (const member of ['recordDigest', 'outcome', 'receipt'] as const) {
      if (ref[member] !== undefined && typeof ref[member] !== 'string') throw new Error(`records[${i}].${member} must be a string`);
    }
  }
  if (e.reference !== undefined && typeof e.reference !== 'string') throw new Error('reference must be a string');
  if (entryLine(e as EvidenceEntry) !== line) throw new Error('not in the entry format (members, order or spacing differ)');
  return e as EvidenceEntry;
}

/** What a window's signature covers. */
export interface WindowStatement {
  stage: string;
  seq: number;
  /** The window's span: from the previous window's end (or the first entry's arrival) to when it was sealed. */
  from: string;
  until: string;
  entries: number;
  /** The Merkle tree head (SM3, hex) of the window's entry lines, in order. */
  root: string;
  /** SM3 (hex) of the previous window's statement text; GENESIS for the first. */
  previous: string;
  /** The signing key (a KMS key ARN, or `local:<fingerprint>`). */
  keyId: string;
  algorithm: SigningAlgorithm;
}

export function statementText(s: WindowStatement): string {
  return (
    `${WINDOW_FORMAT}\nstage ${s.stage}\nseq ${s.seq}\nfrom ${s.from}\nuntil ${s.until}\nentries ${s.entries}\n` +
    `root ${s.root}\nprevious ${s.previous}\nkey ${s.keyId}\nalgorithm ${s.algorithm}\n`
  );
}

const STATEMENT =
  /^credex-evidence-window\/1\nstage ([a-z][a-z0-9]*)\nseq (0|[1-9]\d{0,14})\nfrom (\S+)\nuntil (\S+)\nentries (0|[1-9]\d{0,9})\nroot ([0-9a-f]{64})\nprevious ([0-9a-f]{64})\nkey (\S+)\nalgorithm (SM2DSA|ECDSA_SHA_256)\n$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A statement's fields; throws when the text is not exactly in the format. */
export function parseStatement(text: string): WindowStatement {
  const m = STATEMENT.exec(text);
  if (!m) throw new Error('the statement is not in the credex-evidence-window/1 format');
  const [, stage, seq, from, until, entries, root, previous, keyId, algorithm] = m;
  if (!ISO.test(from!) || !ISO.test(until!)) throw new Error("the statement's from and until must be UTC times with milliseconds");
  if (from! > until!) throw new Error('the statement ends before it starts');
  return {
    stage: stage!,
    seq: Number(seq),
    from: from!,
    until: until!,
    entries: Number(entries),
    root: root!,
    previous: previous!,
    keyId: keyId!,
    algorithm: algorithm as SigningAlgorithm,
  };
}

/** What links the next window to this one. */
export const statementHash = (text: string): string => sm3Hex(text);

/** A sealed window as stored: its signed statement and its entry lines, in tree order. */
export interface SealedWindow {
  format: typeof WINDOW_FORMAT;
  statement: string;
  /** Base64 of the DER signature over the statement's UTF-8 bytes. */
  signature: string;
  entries: string[];
}

export const windowText = (w: SealedWindow): string =>
  `${JSON.stringify({ format: w.format, statement: w.statement, signature: w.signature, entries: w.entries })}\n`;

/** The log's head: a copy of the newest window's signed statement (what a dropped last window is found by). */
export interface LogHead {
  format: typeof HEAD_FORMAT;
  statement: string;
  signature: string;
}

export const headText = (h: LogHead): string => `${JSON.stringify({ format: h.format, statement: h.statement, signature: h.signature })}\n`;

/** Parses a stored window or head strictly: exactly its members, written exactly as written. */
export function parseStored<T extends SealedWindow | LogHead>(text: string, format: T['format'], serialise: (value: T) => string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('not JSON');
  }
  const v = value as T;
  if (!v || typeof v !== 'object' || v.format !== format) throw new Error(`not a ${format} document`);
  if (typeof v.statement !== 'string' || typeof v.signature !== 'string') throw new Error('statement or signature missing');
  // canonical base64 only: other text decoding to the same bytes (padding bits) is a changed byte too
  if (Buffer.from(v.signature, 'base64').toString('base64') !== v.signature) throw new Error('the signature is not canonical base64');
  if ('entries' in v && !(Array.isArray(v.entries) && v.entries.every((e) => typeof e === 'string'))) throw new Error('entries must be a list of lines');
  if (serialise(v) !== text) throw new Error(`not written as a ${format} document is (members, order or spacing differ)`);
  return v;
}
