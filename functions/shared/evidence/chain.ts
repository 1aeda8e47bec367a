/**
 * The chain of windows: sealing the next one, and verifying the whole log (or a span of it) with
 * nothing but the store and the public key the verifier trusts.
 */
import { merkleRoot } from './merkle.js';
import {
  GENESIS,
  HEAD_FORMAT,
  headText,
  parseEntryLine,
  parseStatement,
  parseStored,
  statementHash,
  statementText,
  WINDOW_FORMAT,
  windowText,
  type LogHead,
  type SealedWindow,
  type WindowStatement,
} from './format.js';
import { verifySignature, type EvidenceSigner } from './signer.js';
import type { EvidenceReader, EvidenceStore } from './store.js';

export interface ChainTip {
  seq: number;
  statement: WindowStatement;
  /** SM3 of its statement text: the next window's `previous`. */
  hash: string;
  /** The entry ids it holds (what a resent entry is recognised by). */
  entryIds: Set<string>;
}

export const readWindow = async (store: EvidenceReader, seq: number): Promise<SealedWindow | undefined> => {
  const text = await store.getWindow(seq);
  return text === undefined ? undefined : parseStored<SealedWindow>(text, WINDOW_FORMAT, windowText);
};

const tipOf = (window: SealedWindow): ChainTip => {
  const statement = parseStatement(window.statement);
  return {
    seq: statement.seq,
    statement,
    hash: statementHash(window.statement),
    entryIds: new Set(window.entries.map((line) => (JSON.parse(line) as { id: string }).id)),
  };
};

/**
 * The newest window: the head's, or a later one a sealer wrote before it could move the head (it
 * crashed in between) — the head is then brought up to date.
 */
export async function readTip(store: EvidenceStore): Promise<ChainTip | undefined> {
  const headText_ = await store.getHead();
  let seq = headText_ === undefined ? -1 : parseStatement(parseStored<LogHead>(headText_, HEAD_FORMAT, headText).statement).seq;
  let window = seq >= 0 ? await readWindow(store, seq) : undefined;
  let moved = false;
  for (let next = await readWindow(store, seq + 1); next; next = await readWindow(store, seq + 1)) {
    window = next;
    seq += 1;
    moved = true;
  }
  if (!window) return undefined;
  if (moved) await store.putHead(headText({ format: HEAD_FORMAT, statement: window.statement, signature: window.signature }));
  return tipOf(window);
}

export interface SealOutcome {
  /** The window written, or undefined when another sealer wrote that number first (nothing lost: the entries come back). */
  tip?: ChainTip;
}

/** Seals `lines` (entry lines, in the order they will stand) as the window after `tip`, spanning up to `until`. */
export async function sealWindow(
  store: EvidenceStore,
  signer: EvidenceSigner,
  stage: string,
  tip: ChainTip | undefined,
  lines: readonly string[],
  span: { from: string; until: string },
): Promise<SealOutcome> {
  const statement: WindowStatement = {
    stage,
    seq: tip ? tip.seq + 1 : 0,
    from: tip ? tip.statement.until : span.from,
    until: span.until < (tip?.statement.until ?? '') ? tip!.statement.until : span.until,
    entries: lines.length,
    root: merkleRoot(lines.map((l) => Buffer.from(l, 'utf8'))).toString('hex'),
    previous: tip ? tip.hash : GENESIS,
    keyId: signer.keyId,
    algorithm: signer.algorithm,
  };
  const text = statementText(statement);
  const signature = (await signer.sign(Buffer.from(text, 'utf8'))).toString('base64');
  const window: SealedWindow = { format: WINDOW_FORMAT, statement: text, signature, entries: [...lines] };
  if ((await store.putWindow(statement.seq, windowText(window))) === 'exists') return {};
  await store.putHead(headText({ format: HEAD_FORMAT, statement: text, signature }));
  return { tip: tipOf(window) };
}

/** The key a verifier trusts: the stage's (KMS GetPublicKey, or the local key file). */
export interface TrustedKey {
  spki: Buffer;
  keyId: string;
}

export interface VerifiedWindow {
  seq: number;
  statement: WindowStatement;
  statementText: string;
  signature: string;
  entries: string[];
}

export interface LogVerification {
  ok: boolean;
  windows: number;
  entries: number;
  /** The first thing that does not hold, naming the window (and entry) where it is. */
  problem?: string;
  first?: WindowStatement;
  last?: WindowStatement;
}

/**
 * Recomputes every window from the first: its entries parse, its root is its entries' tree head,
 * its signature holds under the trusted key, it follows the window before it (seq, previous hash,
 * span), and the head — read first, as a snapshot — names one of them with the same statement.
 * Windows after the head's (sealed while this runs, or by a sealer that died before moving the
 * head) are checked the same way. `visit` sees each verified window (show, proof). With
 * `since`/`until`, windows outside the span are checked for the chain but not reported. A read
 * that fails (the store unreachable) is thrown, not reported as a broken log.
 */
export async function verifyLog(
  store: EvidenceReader,
  trusted: TrustedKey,
  options: { since?: string; until?: string; visit?: (window: VerifiedWindow) => void } = {},
): Promise<LogVerification> {
  let windows = 0;
  let entries = 0;
  let previous: { hash: string; statement: WindowStatement } | undefined;
  let first: WindowStatement | undefined;
  let last: WindowStatement | undefined;
  const fail = (problem: string): LogVerification => ({ ok: false, windows, entries, problem, ...(first && { first }), ...(last && { last }) });
  const inSpan = (s: WindowStatement) => (options.since === undefined || s.until >= options.since) && (options.until === undefined || s.from <= options.until);

  let head: { seq: number; statement: string } | undefined;
  const headText_ = await store.getHead();
  if (headText_ !== undefined) {
    try {
      const parsed = parseStored<LogHead>(headText_, HEAD_FORMAT, headText);
      const statement = parseStatement(parsed.statement);
      if (!verifySignature(statement.algorithm, Buffer.from(parsed.statement), Buffer.from(parsed.signature, 'base64'), trusted.spki)) {
        return fail(`the head's signature does not verify with key ${trusted.keyId}`);
      }
      head = { seq: statement.seq, statement: parsed.statement };
    } catch (err) {
      return fail(`the head (${store.describe}/head.json) is unreadable: ${(err as Error).message}`);
    }
  }

  for (let seq = 0; ; seq++) {
    const where = `window ${seq}`;
    const text = await store.getWindow(seq);
    if (text === undefined) {
      if (head !== undefined && head.seq >= seq) return fail(`${where} is missing: the head names window ${head.seq} as the newest`);
      if (head === undefined && seq > 0) return fail(`the head is missing: window ${seq - 1} is the newest, and no head names it`);
      break;
    }
    let window: SealedWindow;
    let statement: WindowStatement;
    try {
      window = parseStored<SealedWindow>(text, WINDOW_FORMAT, windowText);
      statement = parseStatement(window.statement);
    } catch (err) {
      return fail(`${where} is unreadable: ${(err as Error).message}`);
    }
    if (statement.seq !== seq) return fail(`${where} holds the statement of window ${statement.seq} (windows swapped or renamed)`);
    if (statement.keyId !== trusted.keyId) return fail(`${where} is signed by key ${statement.keyId}, not by the exchange's key ${trusted.keyId}`);
    if (!verifySignature(statement.algorithm, Buffer.from(window.statement, 'utf8'), Buffer.from(window.signature, 'base64'), trusted.spki)) {
      return fail(`${where}: the signature does not verify with key ${trusted.keyId} (statement or signature altered)`);
    }
    const expectedPrevious = previous ? previous.hash : GENESIS;
    if (statement.previous !== expectedPrevious) {
      return fail(
        `${where} does not follow window ${seq - 1}: its previous is ${statement.previous}, window ${seq - 1}'s statement hashes to ${expectedPrevious}`,
      );
    }
    if (previous && statement.from !== previous.statement.until) {
      return fail(`${where} starts at ${statement.from}, not where window ${seq - 1} ended (${previous.statement.until})`);
    }
    if (head !== undefined && head.seq === seq && head.statement !== window.statement)
      return fail(`the head names window ${seq} with another statement than the window's`);
    if (statement.entries !== window.entries.length) return fail(`${where} holds ${window.entries.length} entries; its statement says ${statement.entries}`);
    for (const [index, line] of window.entries.entries()) {
      try {
        parseEntryLine(line);
      } catch (err) {
        return fail(`${where}, entry ${index}: ${(err as Error).message}`);
      }
    }
    const root = merkleRoot(window.entries.map((l) => Buffer.from(l, 'utf8'))).toString('hex');
    if (root !== statement.root) {
      return fail(`${where}: its entries hash to ${root}, the signed root is ${statement.root} (an entry was added, removed, changed or moved)`);
    }
    if (inSpan(statement)) {
      windows += 1;
      entries += window.entries.length;
      first ??= statement;
      last = statement;
      options.visit?.({ seq, statement, statementText: window.statement, signature: window.signature, entries: window.entries });
    }
    previous = { hash: statementHash(window.statement), statement };
  }
  return { ok: true, windows, entries, ...(first && { first }), ...(last && { last }) };
}
