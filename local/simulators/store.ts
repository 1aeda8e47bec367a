/** What a simulator keeps in memory: the records it accepted, and every request it answered. */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../functions/shared/records/content-hash.js';

export interface StoredRecord {
  /** The key the sender gave: recordKey (provincial, municipal), noticeId (district), cnbm (public column). */
  key: string;
  /** The record at the destination, the same across revisions (what a withdraw or a newer revision replaces). */
  identity: string;
  /** Record type or data type as the contract names it (`CN`, `commitment`, `breach`, …). */
  type: string;
  operation: 'upsert' | 'withdraw';
  /** Where the contract has one (municipal, district). */
  revision?: number;
  /** The accepted fields, decoded (dates as sent, identity numbers decrypted). */
  content: unknown;
  /** The receipt / id the destination answered with. */
  receipt: string;
  /** sha-256 of the canonical JSON of `content` and `operation`: "the same content". */
  hash: string;
  /** ISO time of acceptance. */
  acceptedAt: string;
  /**
   * Whether the destination publishes the record on its public website now (the platforms publish
   * the breaches they are told to; the public column publishes everything it holds). Absent: not published.
   */
  published?: boolean;
  /** When an end of publication (UNPUBLISH) took it off the website; it stays shared. */
  unpublishedAt?: string;
  /** A breach: when an approved repair of it arrived (终止公示, 停止共享和使用: off the website, no longer shared). */
  repairedAt?: string;
}

export interface RequestEntry {
  at: string;
  method: string;
  path: string;
  status: number;
  /** Record keys the request carried (empty when a fault answered before the body was read). */
  keys: string[];
  /** The error code of a non-2xx JSON answer, if any. */
  code?: string;
  /** The injected fault that answered, if any. */
  fault?: 'error' | 'tooManyRequests' | 'outage' | 'reset';
}

export function hashContent(operation: string, content: unknown): string {
  return createHash('sha256').update(canonicalJson({ operation, content })).digest('base64url');
}

export class RecordStore {
  /** By key, in order of (latest) acceptance. */
  readonly records = new Map<string, StoredRecord>();
  readonly requests: RequestEntry[] = [];
  /** identity → key of its latest accepted record. */
  private readonly latest = new Map<string, string>();
  private sequence = 0;

  get(key: string): StoredRecord | undefined {
    return this.records.get(key);
  }

  /** The latest accepted record of an identity (an upsert, or the withdraw that took it down). */
  current(identity: string): StoredRecord | undefined {
    const key = this.latest.get(identity);
    return key === undefined ? undefined : this.records.get(key);
  }

  put(record: StoredRecord): void {
    this.records.delete(record.key);
    this.records.set(record.key, record);
    this.latest.set(record.identity, record.key);
  }

  list(): StoredRecord[] {
    return [...this.records.values()];
  }

  /** What the destination's public website shows now: the latest upsert of each record, where published and not repaired. */
  published(): StoredRecord[] {
    return [...this.latest.values()]
      .map((key) => this.records.get(key)!)
      .filter((r) => r.operation === 'upsert' && r.published === true && r.repairedAt === undefined);
  }

  /**
   * The breach a repair names, held and not withdrawn: by its decision number and the party's code
   * (XF_YCFWSH; XF_TYSHXYDM or XF_ZJHM against CF_WSH; CF_XDR_SHXYM or CF_XDR_ZJHM).
   */
  heldBreach(repair: ReadonlyMap<string, unknown>): StoredRecord | undefined {
    const number = repair.get('XF_YCFWSH');
    const uscc = repair.get('XF_TYSHXYDM');
    const id = repair.get('XF_ZJHM');
    return [...this.latest.values()]
      .map((key) => this.records.get(key)!)
      .find((r) => {
        if (r.operation !== 'upsert' || (r.type !== 'CF' && r.type !== 'breach')) return false;
        const c = r.content as Record<string, unknown>;
        return c['CF_WSH'] === number && (uscc !== undefined ? c['CF_XDR_SHXYM'] === uscc : id !== undefined && c['CF_XDR_ZJHM'] === id);
      });
  }

  /**
   * An approved repair takes its breach off the website and out of sharing (NDRC Order 2025 No. 36
   * art. 3): the breach's own entry is marked, which is no send of the breach (nothing is put).
   */
  markRepaired(breach: StoredRecord, at: string): void {
    breach.repairedAt = at;
  }

  /** Increasing number for receipts and ids. */
  nextSequence(): number {
    return ++this.sequence;
  }

  clear(): void {
    this.records.clear();
    this.latest.clear();
    this.requests.length = 0;
    this.sequence = 0;
  }
}
