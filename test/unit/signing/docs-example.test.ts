/**
 * The signing scheme as the docs state it, recomputed from the docs' own text: the worked example in
 * docs/endpoints.md (with node:crypto for SHA-256, independently of the signer) and the local
 * credentials table in docs/local-runtime.md. A client written from the docs gets these values.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { digestHex, signRequest, verifyRequest } from '../../../functions/shared/signing/sign.js';
import { localCredentials } from '../../../local/runtime/runtime.js';

const read = (file: string) => readFileSync(new URL(`../../../docs/${file}`, import.meta.url), 'utf8');

/** The `name: value` lines of the worked example's text block. */
function workedExample(): Record<string, string> {
  const doc = read('endpoints.md');
  const block = /\*\*Worked example\*\*[\s\S]*?```text\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error('no worked example in docs/endpoints.md');
  return Object.fromEntries(
    block
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim()]),
  );
}

describe('docs/endpoints.md, the worked example', () => {
  const ex = workedExample();
  const body = Buffer.from(ex['body (UTF-8)']!, 'utf8');
  const timestamp = Number(ex['X-Timestamp']);
  const nonce = ex['X-Nonce']!;
  const input = { method: ex['method']!, path: ex['path']!, body, credentials: { appKey: 'hrbxq-approval', secret: ex['secret']! }, timestamp, nonce };

  it('states the body digests', () => {
    expect(createHash('sha256').update(body).digest('hex')).toBe(ex['sha256(body)']);
    expect(digestHex('HMAC-SM3', body)).toBe(ex['sm3(body)']);
  });

  it('states the HMAC-SHA256 signature, as a client computes it from the text alone', () => {
    const text = [input.method, input.path, String(timestamp), nonce, ex['sha256(body)']].join('\n');
    expect(createHmac('sha256', Buffer.from(ex['secret']!, 'utf8')).update(text, 'utf8').digest('base64')).toBe(ex['HMAC-SHA256']);
    expect(signRequest({ ...input, algorithm: 'HMAC-SHA256' })['X-Signature']).toBe(ex['HMAC-SHA256']);
    expect(read('endpoints.md')).toContain(text.replace(/\n/g, '\\n'));
  });

  it('states the HMAC-SM3 signature, which the verifier accepts', () => {
    const headers = signRequest({ ...input, algorithm: 'HMAC-SM3' });
    expect(headers['X-Signature']).toBe(ex['HMAC-SM3']);
    const verified = verifyRequest({
      method: input.method,
      path: input.path,
      body,
      headers,
      lookupSecret: () => ex['secret'],
      now: timestamp,
      nonces: { seen: () => false },
    });
    expect(verified.ok).toBe(true);
  });
});

describe('docs/local-runtime.md, the local credentials', () => {
  it('lists every upstream of the local runtime with its app key and secret, and the stated derivation gives them', () => {
    const rows = [...read('local-runtime.md').matchAll(/^\| `([^`]+)` \| `([^`]+)` \| `([^`]+)` \|$/gm)].map((m) => [m[1], m[2], m[3]]);
    const actual = Object.entries(localCredentials().upstreams).map(([id, c]) => [id, c.appKey, c.secret]);
    expect(rows).toEqual(actual);
    for (const [id, , secret] of rows)
      expect(createHash('sha256').update(`credex-local:upstream:${id}`).digest().subarray(0, 24).toString('base64url')).toBe(secret);
  });
});
