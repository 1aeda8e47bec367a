import { inspect } from 'node:util';
import {
  CredentialsError,
  createCredentialsProvider,
  makeCredentials,
  memorySecretSource,
  parseCredentials,
  secretsManagerSource,
  type SecretSource,
} from '../../../functions/shared/signing/credentials.js';

const SECRET = 'Sup3r-S3cret-Value';
const FIELD_KEY = '00112233445566778899aabbccddeeff';

/** A source whose answers the test controls, counting reads. */
function countingSource(values: string[]) {
  const calls: string[] = [];
  let resolveNext: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  const source: SecretSource = {
    async getSecretString(name) {
      calls.push(name);
      if (gate) await gate;
      const value = values[Math.min(calls.length - 1, values.length - 1)]!;
      return value;
    },
  };
  return {
    source,
    calls,
    hold() {
      gate = new Promise((resolve) => (resolveNext = resolve));
    },
    release() {
      gate = undefined;
      resolveNext?.();
    },
  };
}

const secretJson = (appKey: string, secret = SECRET, fieldKey?: string) => JSON.stringify({ appKey, secret, ...(fieldKey ? { fieldKey } : {}) });

describe('createCredentialsProvider', () => {
  it('loads once and serves the cache for the ttl, then reloads', async () => {
    let clock = 1_000_000;
    const { source, calls } = countingSource([secretJson('k1'), secretJson('k2')]);
    const provider = createCredentialsProvider({ source, secretName: 'credex/provincial', ttlSeconds: 300, now: () => clock });
    expect((await provider.get()).appKey).toBe('k1');
    clock += 299_999;
    expect((await provider.get()).appKey).toBe('k1');
    expect(calls).toEqual(['credex/provincial']);
    clock += 1;
    expect((await provider.get()).appKey).toBe('k2');
    expect(calls).toHaveLength(2);
  });

  it('refresh() reloads at once and later get()s use the new credentials', async () => {
    const { source, calls } = countingSource([secretJson('old'), secretJson('new')]);
    const provider = createCredentialsProvider({ source, secretName: 's', now: () => 0 });
    expect((await provider.get()).appKey).toBe('old');
    expect((await provider.refresh()).appKey).toBe('new');
    expect((await provider.get()).appKey).toBe('new');
    expect(calls).toHaveLength(2);
  });

  it('concurrent get()s (and a refresh during the load) share one load', async () => {
    const control = countingSource([secretJson('k1')]);
    control.hold();
    const provider = createCredentialsProvider({ source: control.source, secretName: 's', now: () => 0 });
    const pending = [provider.get(), provider.get(), provider.get(), provider.refresh()];
    control.release();
    const results = await Promise.all(pending);
    expect(control.calls).toHaveLength(1);
    expect(new Set(results).size).toBe(1);
  });

  it('a failed load is not cached: the error reaches every waiter and the next call tries again', async () => {
    let fail = true;
    const calls: number[] = [];
    const source: SecretSource = {
      async getSecretString() {
        calls.push(1);
        if (fail) throw new Error('ResourceNotFoundException');
        return secretJson('k1');
      },
    };
    const provider = createCredentialsProvider({ source, secretName: 'credex/x', now: () => 0 });
    const results = await Promise.allSettled([provider.get(), provider.get()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(CredentialsError);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('could not read secret credex/x: ResourceNotFoundException');
    expect(calls).toHaveLength(1);
    fail = false;
    expect((await provider.get()).appKey).toBe('k1');
  });

  it('a failed refresh keeps the credentials already loaded', async () => {
    const { source } = countingSource([secretJson('k1'), '{"appKey":"k2"}']);
    const provider = createCredentialsProvider({ source, secretName: 's', now: () => 0 });
    await provider.get();
    await expect(provider.refresh()).rejects.toThrow(CredentialsError);
    expect((await provider.get()).appKey).toBe('k1');
  });

  it('ttl 0 reloads on every get()', async () => {
    const { source, calls } = countingSource([secretJson('k1')]);
    const provider = createCredentialsProvider({ source, secretName: 's', ttlSeconds: 0, now: () => 0 });
    await provider.get();
    await provider.get();
    expect(calls).toHaveLength(2);
  });

  it('works over the local map source and a Secrets Manager client', async () => {
    const local = createCredentialsProvider({
      source: memorySecretSource({ 'credex/municipal': { appKey: 'm', secret: SECRET, fieldKey: FIELD_KEY } }),
      secretName: 'credex/municipal',
    });
    expect((await local.get()).fieldKey).toBe(FIELD_KEY);
    await expect(createCredentialsProvider({ source: memorySecretSource({}), secretName: 'nope' }).get()).rejects.toThrow('secret nope not found');

    const requested: string[] = [];
    const client = {
      async getSecretValue(input: { SecretId: string }) {
        requested.push(input.SecretId);
        return { SecretString: secretJson('p') };
      },
    };
    expect((await createCredentialsProvider({ source: secretsManagerSource(client), secretName: 'credex/provincial' }).get()).appKey).toBe('p');
    expect(requested).toEqual(['credex/provincial']);
    const binaryOnly = { getSecretValue: async () => ({}) };
    await expect(secretsManagerSource(binaryOnly).getSecretString('b')).rejects.toThrow(/has no string value/);
  });
});

describe('parseCredentials: shape validation', () => {
  it.each([
    ['not JSON', `{"appKey":"k","secret":"${SECRET}"`, /secret credex\/p is not valid JSON/],
    ['not an object', JSON.stringify([SECRET]), /must be a JSON object .* got an array/],
    ['a bare string', JSON.stringify(SECRET), /got a string/],
    ['secret missing', JSON.stringify({ appKey: 'k' }), /secret must be a non-empty string \(got nothing\)/],
    ['secret a number', JSON.stringify({ appKey: 'k', secret: 12345678 }), /secret must be a non-empty string \(got number\)/],
    ['appKey empty', JSON.stringify({ appKey: '', secret: SECRET }), /appKey must be a non-empty string \(got an empty string\)/],
    [
      'fieldKey malformed',
      JSON.stringify({ appKey: 'k', secret: SECRET, fieldKey: `${SECRET}-xyz` }),
      /fieldKey, when present, must be 32 hexadecimal characters \(got a string of another form\)/,
    ],
    ['fieldKey too short', JSON.stringify({ appKey: 'k', secret: SECRET, fieldKey: FIELD_KEY.slice(2) }), /fieldKey, when present, must be 32 hexadecimal/],
  ])('%s: a clear error that never contains the values', (_name, text, message) => {
    let error: unknown;
    try {
      parseCredentials(text, 'credex/p');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CredentialsError);
    const shown = `${(error as Error).message}\n${(error as Error).stack ?? ''}\n${inspect(error)}`;
    expect(shown).toMatch(message);
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain('12345678');
    expect(shown).not.toContain(FIELD_KEY.slice(2));
  });

  it('names every problem at once', () => {
    expect(() => parseCredentials('{"fieldKey":1}', 's')).toThrow(/appKey must .*; secret must .*; fieldKey, when present/);
  });

  it('accepts extra fields and an absent fieldKey', () => {
    const credentials = parseCredentials(JSON.stringify({ appKey: 'k', secret: SECRET, note: 'rotated 2026-01' }), 's');
    expect(credentials.appKey).toBe('k');
    expect(credentials.secret).toBe(SECRET);
    expect(credentials.fieldKey).toBeUndefined();
  });
});

describe('credentials do not leak when logged', () => {
  const credentials = makeCredentials({ appKey: 'district-app', secret: SECRET, fieldKey: FIELD_KEY });

  it('still hands the values to code that asks for them', () => {
    expect(credentials.secret).toBe(SECRET);
    expect(credentials.fieldKey).toBe(FIELD_KEY);
  });

  it('JSON.stringify masks secret and fieldKey, also when nested', () => {
    expect(JSON.parse(JSON.stringify(credentials))).toEqual({ appKey: 'district-app', secret: '[redacted]', fieldKey: '[redacted]' });
    const nested = JSON.stringify({ destination: 'provincial', credentials });
    expect(nested).not.toContain(SECRET);
    expect(nested).not.toContain(FIELD_KEY);
    expect(JSON.stringify(makeCredentials({ appKey: 'a', secret: SECRET }))).toBe('{"appKey":"a","secret":"[redacted]"}');
  });

  it('util.inspect (console.log) masks them, also when nested and at any depth', () => {
    for (const shown of [
      inspect(credentials),
      inspect({ a: { b: { c: credentials } } }, { depth: 10 }),
      inspect(credentials, { showHidden: true }),
      `${credentials}`,
    ]) {
      expect(shown).not.toContain(SECRET);
      expect(shown).not.toContain(FIELD_KEY);
    }
    expect(inspect(credentials)).toContain('district-app');
    expect(inspect(credentials)).toContain('[redacted]');
  });

  it('spreading or listing the object does not copy the secret', () => {
    const copy = { ...credentials } as Record<string, unknown>;
    expect(copy).toEqual({ appKey: 'district-app' });
    expect(Object.values(credentials)).toEqual(['district-app']);
    expect(JSON.stringify(structuredClone(credentials))).not.toContain(SECRET);
  });

  it('is immutable', () => {
    expect(Object.isFrozen(credentials)).toBe(true);
  });
});
