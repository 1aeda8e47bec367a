/**
 * Request signing shared by every destination and by the simulators that receive (docs/endpoints.md,
 * "Request signing"):
 *
 *   string-to-sign = METHOD "\n" PATH "\n" TIMESTAMP "\n" NONCE "\n" hex(DIGEST(body bytes))
 *   X-Signature    = base64(HMAC(secret, string-to-sign))
 *
 * with DIGEST and the HMAC's hash both SM3 for `HMAC-SM3` and SHA-256 for `HMAC-SHA256` (Node's
 * crypto provides SM3 through OpenSSL). The secret is the HMAC key as UTF-8 bytes; a string body is
 * digested as its UTF-8 bytes.
 */
import { createHash, createHmac, randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';
import type { SignatureAlgorithm } from '../../deliver/adapters/types.js';

export type { SignatureAlgorithm };

export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['HMAC-SM3', 'HMAC-SHA256'];

/** The hash behind each method, by its OpenSSL name. */
const HASH_OF: Readonly<Record<SignatureAlgorithm, 'sm3' | 'sha256'>> = { 'HMAC-SM3': 'sm3', 'HMAC-SHA256': 'sha256' };

/** Both SM3 and SHA-256 produce 32-byte digests. */
const MAC_BYTES = 32;

export const HEADER = {
  appKey: 'X-App-Key',
  timestamp: 'X-Timestamp',
  nonce: 'X-Nonce',
  method: 'X-Signature-Method',
  signature: 'X-Signature',
} as const;

/** A type alias (not an interface) so it is assignable to `Record<string, string>` header maps. */
export type SignatureHeaders = {
  'X-App-Key': string;
  'X-Timestamp': string;
  'X-Nonce': string;
  'X-Signature-Method': SignatureAlgorithm;
  'X-Signature': string;
};

export type Bytes = string | Uint8Array;

export function isSignatureAlgorithm(value: unknown): value is SignatureAlgorithm {
  return value === 'HMAC-SM3' || value === 'HMAC-SHA256';
}

function hashOf(algorithm: SignatureAlgorithm): 'sm3' | 'sha256' {
  if (!isSignatureAlgorithm(algorithm)) throw new Error(`unknown signature method ${JSON.stringify(algorithm)}; expected HMAC-SM3 or HMAC-SHA256`);
  return HASH_OF[algorithm];
}

/** Lower-case hex digest of `data` (UTF-8 when a string) with the method's hash. */
export function digestHex(algorithm: SignatureAlgorithm, data: Bytes = ''): string {
  return createHash(hashOf(algorithm)).update(data).digest('hex');
}

/** HMAC of `data` under `key` (UTF-8 when strings) with the method's hash: the signer's primitive. */
export function hmac(algorithm: SignatureAlgorithm, key: Bytes, data: Bytes): Buffer {
  return createHmac(hashOf(algorithm), key).update(data).digest();
}

export interface StringToSignInput {
  method: string;
  /** Path with its query string, exactly as sent. */
  path: string;
  /** Milliseconds since the epoch: a number, or the header's decimal digits as received. */
  timestamp: number | string;
  nonce: string;
  body?: Bytes | undefined;
  algorithm: SignatureAlgorithm;
}

const TIMESTAMP_PATTERN = /^[0-9]{1,16}$/;
const NONCE_PATTERN = /^[0-9a-f]{32}$/;
const METHOD_PATTERN = /^[A-Za-z]+$/;
/** Exactly the canonical base64 of 32 bytes. */
const SIGNATURE_PATTERN = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

function timestampText(timestamp: number | string): string {
  if (typeof timestamp === 'number') {
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error('timestamp must be a non-negative integer number of milliseconds');
    return String(timestamp);
  }
  if (!TIMESTAMP_PATTERN.test(timestamp)) throw new Error('timestamp must be decimal digits (milliseconds since the epoch)');
  return timestamp;
}

/** The string-to-sign; throws on a method, path, timestamp or nonce the format cannot carry. */
export function stringToSign({ method, path, timestamp, nonce, body, algorithm }: StringToSignInput): string {
  if (!METHOD_PATTERN.test(method)) throw new Error('method must be letters only');
  if (path.length === 0 || /[\r\n]/.test(path)) throw new Error('path must be non-empty and contain no line breaks');
  if (!NONCE_PATTERN.test(nonce)) throw new Error('nonce must be 32 lower-case hexadecimal characters');
  return [method.toUpperCase(), path, timestampText(timestamp), nonce, digestHex(algorithm, body ?? '')].join('\n');
}

export interface SignRequestInput {
  method: string;
  path: string;
  body?: Bytes | undefined;
  credentials: { appKey: string; secret: string };
  algorithm: SignatureAlgorithm;
  /** Milliseconds since the epoch (default: now). */
  timestamp?: number;
  /** 32 lower-case hex characters (default: 16 random bytes). */
  nonce?: string;
  /** Source of the nonce's bytes when `nonce` is not given (default: crypto.randomBytes). */
  randomBytes?: (size: number) => Buffer;
}

/** The signature headers for one request. */
export function signRequest(input: SignRequestInput): SignatureHeaders {
  const { method, path, body, credentials, algorithm } = input;
  if (credentials.appKey.length === 0 || /[\r\n]/.test(credentials.appKey)) throw new Error('appKey must be non-empty and contain no line breaks');
  if (credentials.secret.length === 0) throw new Error('secret must be non-empty');
  const timestamp = timestampText(input.timestamp ?? Date.now());
  const nonce = input.nonce ?? (input.randomBytes ?? nodeRandomBytes)(16).toString('hex');
  const text = stringToSign({ method, path, timestamp, nonce, body, algorithm });
  return {
    'X-App-Key': credentials.appKey,
    'X-Timestamp': timestamp,
    'X-Nonce': nonce,
    'X-Signature-Method': algorithm,
    'X-Signature': hmac(algorithm, credentials.secret, text).toString('base64'),
  };
}

/** Remembers nonces for replay protection. */
export interface NonceStore {
  /** True if `nonce` was already seen for `appKey` within the store's ttl; records it otherwise. */
  seen(appKey: string, nonce: string, now: number): boolean;
}

/**
 * An in-process nonce store. Entries expire `ttlSeconds` after they were recorded; expired ones are
 * pruned on every insert, so memory is bounded by the requests of one ttl (given a clock that does
 * not run backwards, the Map's insertion order is expiry order and pruning stops at the first live
 * entry).
 */
export class MemoryNonceStore implements NonceStore {
  private readonly ttlMs: number;
  private readonly expiries = new Map<string, number>();

  constructor(ttlSeconds = 600) {
    if (!(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) throw new Error('ttlSeconds must be a positive number');
    this.ttlMs = ttlSeconds * 1000;
  }

  /** Entries currently held (expired ones may linger until the next insert). */
  get size(): number {
    return this.expiries.size;
  }

  seen(appKey: string, nonce: string, now: number): boolean {
    const key = `${appKey}\n${nonce}`;
    const expiry = this.expiries.get(key);
    if (expiry !== undefined && expiry > now) return true;
    this.prune(now);
    this.expiries.delete(key); // re-insert at the end, keeping insertion order = expiry order
    this.expiries.set(key, now + this.ttlMs);
    return false;
  }

  private prune(now: number): void {
    for (const [key, expiry] of this.expiries) {
      if (expiry > now) break;
      this.expiries.delete(key);
    }
  }
}

export type VerifyFailureCode = 'AUTH_FAILED' | 'TIMESTAMP_EXPIRED' | 'NONCE_REPLAYED';

export type VerifyResult = { ok: true; appKey: string } | { ok: false; code: VerifyFailureCode; message: string };

export interface VerifyRequestInput {
  method: string;
  path: string;
  body?: Bytes | undefined;
  /** Request headers; names are matched case-insensitively (Node's IncomingHttpHeaders fit). */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The secret for an app key, or undefined when the key is unknown. */
  lookupSecret: (appKey: string) => string | undefined;
  /** The receiver's clock, milliseconds since the epoch. */
  now: number;
  nonces: NonceStore;
  /** Largest allowed distance between X-Timestamp and `now`, either way (default 300). */
  windowSeconds?: number;
  /** Accept only this method (a destination names one); default: either. */
  algorithm?: SignatureAlgorithm;
}

type RawSignatureHeaders = { appKey: string; timestamp: string; nonce: string; algorithm: string; signature: string };

/** The five signature headers, looked up case-insensitively; a missing or repeated one is an error. */
function readSignatureHeaders(headers: VerifyRequestInput['headers']): RawSignatureHeaders | { error: string } {
  const byName = new Map<string, string | readonly string[]>();
  const repeated = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (byName.has(lower)) repeated.add(lower);
    byName.set(lower, value);
  }
  const result: Partial<RawSignatureHeaders> = {};
  for (const [field, name] of [
    ['appKey', HEADER.appKey],
    ['timestamp', HEADER.timestamp],
    ['nonce', HEADER.nonce],
    ['algorithm', HEADER.method],
    ['signature', HEADER.signature],
  ] as const) {
    const lower = name.toLowerCase();
    const value = byName.get(lower);
    if (value === undefined) return { error: `missing header ${name}` };
    if (typeof value !== 'string' || repeated.has(lower)) return { error: `header ${name} appears more than once` };
    result[field] = value;
  }
  return result as RawSignatureHeaders;
}

const fail = (code: VerifyFailureCode, message: string): VerifyResult => ({ ok: false, code, message });

/**
 * Checks a signed request as a receiver does. Order: header syntax, app key, signature (constant
 * time), timestamp window, nonce — so a request that fails authentication never consumes a nonce.
 */
export function verifyRequest(input: VerifyRequestInput): VerifyResult {
  const { method, path, body, lookupSecret, now, nonces, windowSeconds = 300 } = input;

  const read = readSignatureHeaders(input.headers);
  if ('error' in read) return fail('AUTH_FAILED', read.error);
  const { appKey, timestamp, nonce, algorithm, signature } = read;

  if (appKey.length === 0) return fail('AUTH_FAILED', `header ${HEADER.appKey} is empty`);
  if (!TIMESTAMP_PATTERN.test(timestamp)) return fail('AUTH_FAILED', `header ${HEADER.timestamp} must be decimal digits (milliseconds since the epoch)`);
  if (!NONCE_PATTERN.test(nonce)) return fail('AUTH_FAILED', `header ${HEADER.nonce} must be 32 lower-case hexadecimal characters`);
  if (!isSignatureAlgorithm(algorithm)) return fail('AUTH_FAILED', `header ${HEADER.method} must be HMAC-SM3 or HMAC-SHA256`);
  if (input.algorithm !== undefined && algorithm !== input.algorithm) return fail('AUTH_FAILED', `this endpoint requires ${HEADER.method} ${input.algorithm}`);
  if (!SIGNATURE_PATTERN.test(signature)) return fail('AUTH_FAILED', `header ${HEADER.signature} must be the base64 of a ${MAC_BYTES}-byte MAC`);

  const secret = lookupSecret(appKey);
  if (secret === undefined || secret.length === 0) return fail('AUTH_FAILED', 'unknown app key');

  let expected: Buffer;
  try {
    expected = hmac(algorithm, secret, stringToSign({ method, path, timestamp, nonce, body, algorithm }));
  } catch {
    return fail('AUTH_FAILED', 'request method or path cannot be signed');
  }
  const given = Buffer.from(signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail('AUTH_FAILED', 'signature does not match');

  const skewMs = Math.abs(now - Number(timestamp));
  if (!(skewMs <= windowSeconds * 1000)) return fail('TIMESTAMP_EXPIRED', `timestamp is more than ${windowSeconds} s from the receiver's clock`);

  if (nonces.seen(appKey, nonce, now)) return fail('NONCE_REPLAYED', 'nonce already used');
  return { ok: true, appKey };
}
