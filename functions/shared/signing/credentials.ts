/**
 * Credentials for one destination or upstream: `{ appKey, secret, fieldKey? }`, kept as a JSON secret
 * (`{"appKey":"…","secret":"…","fieldKey":"<32 hex>"}`) in Secrets Manager in AWS and in a local map
 * in the local runtime. The provider caches them for a ttl, shares one load between concurrent
 * callers, and reloads on demand (once, when an endpoint answers 401/403).
 *
 * Nothing here ever puts a secret's value in an error, a log line or JSON: loaded credentials mask
 * `secret` and `fieldKey` in `JSON.stringify` and `util.inspect` (console.log, loggers), and keep them
 * out of their own enumerable properties so spreading or `Object.entries` does not copy them either.
 */
import { inspect } from 'node:util';
import { ExchangeError } from '../errors.js';

/** Where secrets come from: the secret's text by name. */
export interface SecretSource {
  getSecretString(name: string): Promise<string>;
}

export interface Credentials {
  readonly appKey: string;
  readonly secret: string;
  /** SM4 field key, 32 hex characters, where the destination encrypts identity numbers. */
  readonly fieldKey?: string;
}

export class CredentialsError extends ExchangeError {
  override name = 'CredentialsError';
}

const MASK = '[redacted]';
const FIELD_KEY_PATTERN = /^[0-9a-fA-F]{32}$/;

/**
 * Loaded credentials. `secret` and `fieldKey` live in private fields behind getters, so spreading,
 * `Object.entries` or structured cloning does not copy them, and `JSON.stringify` / `util.inspect`
 * (console.log, loggers) show them masked.
 */
class MaskedCredentials implements Credentials {
  readonly appKey: string;
  readonly #secret: string;
  readonly #fieldKey: string | undefined;

  constructor(appKey: string, secret: string, fieldKey: string | undefined) {
    this.appKey = appKey;
    this.#secret = secret;
    this.#fieldKey = fieldKey;
    Object.freeze(this);
  }

  get secret(): string {
    return this.#secret;
  }

  get fieldKey(): string | undefined {
    return this.#fieldKey;
  }

  toJSON(): Record<string, string> {
    return { appKey: this.appKey, secret: MASK, ...(this.#fieldKey === undefined ? {} : { fieldKey: MASK }) };
  }

  toString(): string {
    return `Credentials(${this.appKey})`;
  }

  [inspect.custom](): string {
    return `Credentials ${inspect(this.toJSON())}`;
  }
}

/** Credentials whose `secret` and `fieldKey` never show when logged or serialised. */
export function makeCredentials(fields: { appKey: string; secret: string; fieldKey?: string | undefined }): Credentials {
  return new MaskedCredentials(fields.appKey, fields.secret, fields.fieldKey);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? (value.length === 0 ? 'an empty string' : 'a string') : typeof value;
}

/**
 * Parses and validates a credentials secret. Errors name the secret and the offending fields but
 * never contain the secret's text (not even the JSON parser's message, which quotes the input).
 */
export function parseCredentials(text: string, secretName: string): Credentials {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CredentialsError(`secret ${secretName} is not valid JSON (expected {"appKey":…,"secret":…,"fieldKey"?:…})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new CredentialsError(`secret ${secretName} must be a JSON object {"appKey":…,"secret":…,"fieldKey"?:…}; got ${describeType(data)}`);
  }
  const record = data as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of ['appKey', 'secret'] as const) {
    const value = record[field];
    if (typeof value !== 'string' || value.length === 0)
      problems.push(`${field} must be a non-empty string (got ${value === undefined ? 'nothing' : describeType(value)})`);
  }
  const fieldKey = record.fieldKey;
  if (fieldKey !== undefined && (typeof fieldKey !== 'string' || !FIELD_KEY_PATTERN.test(fieldKey))) {
    problems.push(
      `fieldKey, when present, must be 32 hexadecimal characters (got ${typeof fieldKey === 'string' ? 'a string of another form' : describeType(fieldKey)})`,
    );
  }
  if (problems.length > 0) throw new CredentialsError(`secret ${secretName} is not valid credentials: ${problems.join('; ')}`);
  return makeCredentials({ appKey: record.appKey as string, secret: record.secret as string, fieldKey: fieldKey as string | undefined });
}

export interface CredentialsProviderOptions {
  source: SecretSource;
  secretName: string;
  /** How long loaded credentials are used before the next get() reloads them (default 300). */
  ttlSeconds?: number;
  /** Clock, milliseconds since the epoch (default Date.now). */
  now?: () => number;
}

export interface CredentialsProvider {
  /** Cached credentials, loading them when absent or older than the ttl. */
  get(): Promise<Credentials>;
  /** Reloads now (after an endpoint refused the current ones); joins a load already under way. */
  refresh(): Promise<Credentials>;
}

export function createCredentialsProvider({ source, secretName, ttlSeconds = 300, now = Date.now }: CredentialsProviderOptions): CredentialsProvider {
  if (!(ttlSeconds >= 0) || !Number.isFinite(ttlSeconds)) throw new CredentialsError('ttlSeconds must be a non-negative number');
  const ttlMs = ttlSeconds * 1000;
  let cached: { credentials: Credentials; loadedAt: number } | undefined;
  let loading: Promise<Credentials> | undefined;

  const load = (): Promise<Credentials> => {
    if (loading) return loading;
    const started = now();
    const attempt = (async () => {
      let text: string;
      try {
        text = await source.getSecretString(secretName);
      } catch (error) {
        throw new CredentialsError(`could not read secret ${secretName}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      const credentials = parseCredentials(text, secretName);
      cached = { credentials, loadedAt: started };
      return credentials;
    })();
    // A failed load leaves any previous credentials in place and lets the next call try again.
    loading = attempt.finally(() => {
      loading = undefined;
    });
    return loading;
  };

  return {
    get() {
      if (cached && now() - cached.loadedAt < ttlMs) return Promise.resolve(cached.credentials);
      return load();
    },
    refresh() {
      return load();
    },
  };
}

/** A source over an in-memory map (the local runtime and tests): values are JSON text or objects. */
export function memorySecretSource(secrets: Readonly<Record<string, string | object>>): SecretSource {
  return {
    async getSecretString(name) {
      if (!Object.hasOwn(secrets, name)) throw new CredentialsError(`secret ${name} not found`);
      const value = secrets[name]!;
      return typeof value === 'string' ? value : JSON.stringify(value);
    },
  };
}

/**
 * The part of `SecretsManager` (the aggregated client of @aws-sdk/client-secrets-manager) used here,
 * so this module compiles without that package: pass `new SecretsManager({})`.
 */
export interface SecretsManagerLike {
  getSecretValue(input: { SecretId: string }): Promise<{ SecretString?: string | undefined }>;
}

/** A source reading Secrets Manager string secrets. */
export function secretsManagerSource(client: SecretsManagerLike): SecretSource {
  return {
    async getSecretString(name) {
      const output = await client.getSecretValue({ SecretId: name });
      if (typeof output.SecretString !== 'string') throw new CredentialsError(`secret ${name} has no string value (binary secrets are not supported)`);
      return output.SecretString;
    },
  };
}
