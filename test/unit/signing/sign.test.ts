import { createHash, createHmac } from 'node:crypto';
import {
  MemoryNonceStore,
  signRequest,
  stringToSign,
  verifyRequest,
  type NonceStore,
  type SignatureAlgorithm,
  type VerifyRequestInput,
} from '../../../functions/shared/signing/sign.js';

const credentials = { appKey: 'district-app', secret: 'local-test-secret' };
const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z, milliseconds
const NONCE = '0123456789abcdef0123456789abcdef';
const body = JSON.stringify({ records: [{ recordId: 'R-1', name: '哈尔滨新区示例企业' }] });
const path = '/api/v1/credit/commitments?batch=B1';
const algorithms: SignatureAlgorithm[] = ['HMAC-SM3', 'HMAC-SHA256'];

function verify(overrides: Partial<VerifyRequestInput> & Pick<VerifyRequestInput, 'headers'>, nonces: NonceStore = new MemoryNonceStore()) {
  return verifyRequest({
    method: 'POST',
    path,
    body,
    lookupSecret: (k) => (k === credentials.appKey ? credentials.secret : undefined),
    now: T0,
    nonces,
    ...overrides,
  });
}

describe('stringToSign', () => {
  it('joins METHOD, path, timestamp, nonce and the lower-case hex body digest with \\n', () => {
    const sm3Digest = createHash('sm3').update(Buffer.from(body, 'utf8')).digest('hex');
    expect(stringToSign({ method: 'post', path, timestamp: T0, nonce: NONCE, body, algorithm: 'HMAC-SM3' })).toBe(
      `POST\n${path}\n${T0}\n${NONCE}\n${sm3Digest}`,
    );
    const shaDigest = createHash('sha256').update(body).digest('hex');
    expect(stringToSign({ method: 'POST', path, timestamp: String(T0), nonce: NONCE, body, algorithm: 'HMAC-SHA256' })).toBe(
      `POST\n${path}\n${T0}\n${NONCE}\n${shaDigest}`,
    );
  });

  it('digests the empty string when there is no body', () => {
    const text = stringToSign({ method: 'DELETE', path: '/r/1', timestamp: T0, nonce: NONCE, algorithm: 'HMAC-SHA256' });
    expect(text.split('\n')[4]).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(stringToSign({ method: 'DELETE', path: '/r/1', timestamp: T0, nonce: NONCE, algorithm: 'HMAC-SM3', body: '' })).toBe(
      stringToSign({ method: 'DELETE', path: '/r/1', timestamp: T0, nonce: NONCE, algorithm: 'HMAC-SM3', body: new Uint8Array(0) }),
    );
  });

  it('refuses what the format cannot carry', () => {
    const ok = { method: 'POST', path: '/a', timestamp: T0, nonce: NONCE, algorithm: 'HMAC-SM3' as const };
    expect(() => stringToSign({ ...ok, path: '/a\nb' })).toThrow(/line breaks/);
    expect(() => stringToSign({ ...ok, method: 'PO ST' })).toThrow(/method/);
    expect(() => stringToSign({ ...ok, nonce: NONCE.toUpperCase() })).toThrow(/nonce/);
    expect(() => stringToSign({ ...ok, timestamp: -1 })).toThrow(/timestamp/);
    expect(() => stringToSign({ ...ok, timestamp: '12.5' })).toThrow(/timestamp/);
    expect(() => stringToSign({ ...ok, algorithm: 'HMAC-MD5' as SignatureAlgorithm })).toThrow(/HMAC-SM3 or HMAC-SHA256/);
  });
});

describe('signRequest', () => {
  it.each(algorithms)('%s: headers carry key, timestamp, nonce, method and base64 HMAC of the string-to-sign', (algorithm) => {
    const headers = signRequest({ method: 'POST', path, body, credentials, algorithm, timestamp: T0, nonce: NONCE });
    const text = stringToSign({ method: 'POST', path, timestamp: T0, nonce: NONCE, body, algorithm });
    const hash = algorithm === 'HMAC-SM3' ? 'sm3' : 'sha256';
    expect(headers).toEqual({
      'X-App-Key': 'district-app',
      'X-Timestamp': String(T0),
      'X-Nonce': NONCE,
      'X-Signature-Method': algorithm,
      'X-Signature': createHmac(hash, credentials.secret).update(text).digest('base64'),
    });
  });

  it('draws a 32-hex nonce from randomBytes and the timestamp from the clock by default', () => {
    const sizes: number[] = [];
    const headers = signRequest({ method: 'POST', path, credentials, algorithm: 'HMAC-SM3', randomBytes: (n) => (sizes.push(n), Buffer.alloc(n, 0xab)) });
    expect(sizes).toEqual([16]);
    expect(headers['X-Nonce']).toBe('ab'.repeat(16));
    expect(Math.abs(Number(headers['X-Timestamp']) - Date.now())).toBeLessThan(5_000);
    const a = signRequest({ method: 'POST', path, credentials, algorithm: 'HMAC-SM3' });
    const b = signRequest({ method: 'POST', path, credentials, algorithm: 'HMAC-SM3' });
    expect(a['X-Nonce']).toMatch(/^[0-9a-f]{32}$/);
    expect(a['X-Nonce']).not.toBe(b['X-Nonce']);
  });

  it('signs string and byte bodies alike', () => {
    const fromString = signRequest({ method: 'POST', path, body, credentials, algorithm: 'HMAC-SM3', timestamp: T0, nonce: NONCE });
    const fromBytes = signRequest({
      method: 'POST',
      path,
      body: new Uint8Array(Buffer.from(body, 'utf8')),
      credentials,
      algorithm: 'HMAC-SM3',
      timestamp: T0,
      nonce: NONCE,
    });
    expect(fromBytes).toEqual(fromString);
  });
});

describe('verifyRequest', () => {
  const signed = (algorithm: SignatureAlgorithm = 'HMAC-SM3', options: { timestamp?: number; nonce?: string; secret?: string } = {}) =>
    signRequest({
      method: 'POST',
      path,
      body,
      credentials: { appKey: credentials.appKey, secret: options.secret ?? credentials.secret },
      algorithm,
      timestamp: options.timestamp ?? T0,
      nonce: options.nonce ?? NONCE,
    });

  it.each(algorithms)('%s: a signed request verifies', (algorithm) => {
    expect(verify({ headers: { ...signed(algorithm) } })).toEqual({ ok: true, appKey: 'district-app' });
  });

  it('verifies a request without a body', () => {
    const headers = signRequest({ method: 'DELETE', path: '/r/1', credentials, algorithm: 'HMAC-SHA256', timestamp: T0, nonce: NONCE });
    expect(verify({ method: 'delete', path: '/r/1', body: undefined, headers }).ok).toBe(true);
  });

  it.each([
    ['tampered body', { body: body.replace('R-1', 'R-2') }],
    ['tampered path', { path: path.replace('B1', 'B2') }],
    ['tampered query only', { path: '/api/v1/credit/commitments?batch=B1&x=1' }],
    ['other method', { method: 'PUT' }],
  ])('%s → AUTH_FAILED', (_name, overrides) => {
    expect(verify({ headers: signed(), ...overrides })).toMatchObject({ ok: false, code: 'AUTH_FAILED', message: 'signature does not match' });
  });

  it('wrong secret → AUTH_FAILED', () => {
    expect(verify({ headers: signed('HMAC-SM3', { secret: 'not-the-secret' }) })).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
  });

  it('unknown app key → AUTH_FAILED', () => {
    expect(verify({ headers: { ...signed(), 'X-App-Key': 'someone-else' } })).toMatchObject({ ok: false, code: 'AUTH_FAILED', message: 'unknown app key' });
  });

  it('a signature made with the other method → AUTH_FAILED', () => {
    const headers = { ...signed('HMAC-SM3'), 'X-Signature-Method': 'HMAC-SHA256' };
    expect(verify({ headers })).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
  });

  it('an endpoint that names its method refuses the other one', () => {
    expect(verify({ headers: signed('HMAC-SHA256'), algorithm: 'HMAC-SM3' })).toMatchObject({
      ok: false,
      code: 'AUTH_FAILED',
      message: expect.stringContaining('HMAC-SM3'),
    });
    expect(verify({ headers: signed('HMAC-SM3'), algorithm: 'HMAC-SM3' }).ok).toBe(true);
  });

  it('timestamps up to 300 s either way pass; 301 s old or ahead → TIMESTAMP_EXPIRED', () => {
    expect(verify({ headers: signed('HMAC-SM3', { timestamp: T0 - 300_000, nonce: 'a'.repeat(32) }) }).ok).toBe(true);
    expect(verify({ headers: signed('HMAC-SM3', { timestamp: T0 + 300_000, nonce: 'b'.repeat(32) }) }).ok).toBe(true);
    expect(verify({ headers: signed('HMAC-SM3', { timestamp: T0 - 301_000 }) })).toMatchObject({ ok: false, code: 'TIMESTAMP_EXPIRED' });
    expect(verify({ headers: signed('HMAC-SM3', { timestamp: T0 + 301_000 }) })).toMatchObject({ ok: false, code: 'TIMESTAMP_EXPIRED' });
    expect(verify({ headers: signed('HMAC-SM3', { timestamp: T0 - 31_000 }), windowSeconds: 30 })).toMatchObject({ ok: false, code: 'TIMESTAMP_EXPIRED' });
  });

  it('the same nonce twice → NONCE_REPLAYED; another nonce or another app key is fine', () => {
    const nonces = new MemoryNonceStore();
    expect(verify({ headers: signed() }, nonces).ok).toBe(true);
    expect(verify({ headers: signed() }, nonces)).toMatchObject({ ok: false, code: 'NONCE_REPLAYED' });
    expect(verify({ headers: signed('HMAC-SM3', { timestamp: T0 + 1 }) }, nonces)).toMatchObject({ ok: false, code: 'NONCE_REPLAYED' });
    expect(verify({ headers: signed('HMAC-SM3', { nonce: 'f'.repeat(32) }) }, nonces).ok).toBe(true);
    const other = signRequest({
      method: 'POST',
      path,
      body,
      credentials: { appKey: 'other-app', secret: 's2' },
      algorithm: 'HMAC-SM3',
      timestamp: T0,
      nonce: NONCE,
    });
    expect(verify({ headers: other, lookupSecret: () => 's2' }, nonces).ok).toBe(true);
  });

  it('a request that fails authentication or the clock does not consume its nonce', () => {
    const nonces = new MemoryNonceStore();
    expect(verify({ headers: signed('HMAC-SM3', { secret: 'wrong' }) }, nonces).ok).toBe(false);
    expect(verify({ headers: signed(), body: 'tampered' }, nonces).ok).toBe(false);
    expect(verify({ headers: signed('HMAC-SM3', { timestamp: T0 - 400_000 }) }, nonces).ok).toBe(false);
    expect(nonces.size).toBe(0);
    expect(verify({ headers: signed() }, nonces).ok).toBe(true);
  });

  it('header names are case-insensitive', () => {
    const lower = Object.fromEntries(Object.entries(signed()).map(([k, v]) => [k.toLowerCase(), v]));
    expect(verify({ headers: lower }).ok).toBe(true);
    const upper = Object.fromEntries(Object.entries(signed('HMAC-SHA256', { nonce: 'c'.repeat(32) })).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verify({ headers: upper }).ok).toBe(true);
  });

  it.each([
    ['missing X-Signature', (h: Record<string, string>) => ({ ...h, 'X-Signature': undefined }), /missing header X-Signature/],
    ['missing X-Nonce', (h: Record<string, string>) => ({ ...h, 'X-Nonce': undefined }), /missing header X-Nonce/],
    ['repeated header (two spellings)', (h: Record<string, string>) => ({ ...h, 'x-nonce': 'f'.repeat(32) }), /X-Nonce appears more than once/],
    ['repeated header (array)', (h: Record<string, string>) => ({ ...h, 'X-Timestamp': [String(T0), String(T0)] }), /X-Timestamp appears more than once/],
    ['timestamp in seconds with a fraction', (h: Record<string, string>) => ({ ...h, 'X-Timestamp': '1767225600.5' }), /X-Timestamp must be decimal digits/],
    ['upper-case nonce', (h: Record<string, string>) => ({ ...h, 'X-Nonce': NONCE.toUpperCase() }), /X-Nonce must be 32 lower-case/],
    ['short nonce', (h: Record<string, string>) => ({ ...h, 'X-Nonce': 'abc' }), /X-Nonce must be 32 lower-case/],
    ['unknown method', (h: Record<string, string>) => ({ ...h, 'X-Signature-Method': 'HMAC-MD5' }), /X-Signature-Method must be HMAC-SM3 or HMAC-SHA256/],
    ['signature not base64', (h: Record<string, string>) => ({ ...h, 'X-Signature': '!'.repeat(44) }), /X-Signature must be the base64 of a 32-byte MAC/],
    ['signature too short', (h: Record<string, string>) => ({ ...h, 'X-Signature': h['X-Signature']!.slice(0, 40) }), /X-Signature must be the base64/],
    [
      'signature hex instead of base64',
      (h: Record<string, string>) => ({ ...h, 'X-Signature': Buffer.from(h['X-Signature']!, 'base64').toString('hex') }),
      /X-Signature must be the base64/,
    ],
    ['empty app key', (h: Record<string, string>) => ({ ...h, 'X-App-Key': '' }), /X-App-Key is empty/],
  ])('malformed: %s → AUTH_FAILED with a clear message', (_name, mutate, message) => {
    const headers = mutate({ ...signed() }) as VerifyRequestInput['headers'];
    const result = verify({ headers });
    expect(result).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
    expect(!result.ok && result.message).toMatch(message);
  });

  it('a path with a line break fails authentication rather than throwing', () => {
    expect(verify({ headers: signed(), path: '/a\nb' })).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
  });
});

describe('MemoryNonceStore', () => {
  it('remembers a nonce for its ttl, then forgets it', () => {
    const store = new MemoryNonceStore(600);
    expect(store.seen('app', NONCE, T0)).toBe(false);
    expect(store.seen('app', NONCE, T0 + 599_999)).toBe(true);
    expect(store.seen('app', NONCE, T0 + 600_000)).toBe(false);
    expect(store.seen('app', NONCE, T0 + 600_001)).toBe(true);
  });

  it('keys nonces by app key', () => {
    const store = new MemoryNonceStore();
    expect(store.seen('a', NONCE, T0)).toBe(false);
    expect(store.seen('b', NONCE, T0)).toBe(false);
    expect(store.seen('a', NONCE, T0)).toBe(true);
  });

  it('prunes expired entries on insert, so memory stays bounded by one ttl of traffic', () => {
    const store = new MemoryNonceStore(10);
    for (let i = 0; i < 1000; i += 1) store.seen('app', i.toString(16).padStart(32, '0'), T0 + i * 100);
    // entries live 10 s = 100 inserts at 100 ms apart
    expect(store.size).toBeLessThanOrEqual(101);
    expect(store.seen('app', (999).toString(16).padStart(32, '0'), T0 + 999 * 100)).toBe(true);
  });

  it('refuses a non-positive ttl', () => {
    expect(() => new MemoryNonceStore(0)).toThrow(/ttlSeconds/);
  });
});
