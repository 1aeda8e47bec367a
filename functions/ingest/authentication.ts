/**
 * Who is calling: the upstreams' secrets by app key, and the checks that admit a request before
 * anything is decoded, parsed or written — signature and timestamp (401), the nonce claimed in the
 * shared store (401 NONCE_REPLAYED), then the upstream's throttle (429).
 */
import type { Upstream, UpstreamRegistration } from '../../topology/upstreams.js';
import { createCredentialsProvider, type CredentialsProvider, type SecretSource } from '../shared/signing/credentials.js';
import { HEADER, verifyRequest } from '../shared/signing/sign.js';
import { errorResponse, header, type IngestRequest, type IngestResponse } from './http.js';
import type { IngestDeps } from './ingest.js';
import { passThroughNonces } from './nonce-store.js';

/** The secret of an upstream, by the app key it sends. */
export interface UpstreamSecrets {
  lookup(appKey: string): Promise<{ upstreamId: string; secret: string } | undefined>;
}

/** Upstream secrets from a SecretSource (Secrets Manager), each cached for `ttlSeconds`. */
export function createUpstreamSecrets(
  source: SecretSource,
  upstreams: Readonly<Record<string, Upstream>>,
  options: { ttlSeconds?: number; now?: () => number } = {},
): UpstreamSecrets {
  const byAppKey = new Map<string, { upstreamId: string; provider: CredentialsProvider }>();
  for (const [upstreamId, upstream] of Object.entries(upstreams)) {
    byAppKey.set(upstream.appKey, { upstreamId, provider: createCredentialsProvider({ source, secretName: upstream.credentialsSecret, ...options }) });
  }
  return {
    async lookup(appKey) {
      const entry = byAppKey.get(appKey);
      if (!entry) return undefined;
      const credentials = await entry.provider.get();
      // a secret issued for another app key must not authenticate this one
      if (credentials.appKey !== appKey) return undefined;
      return { upstreamId: entry.upstreamId, secret: credentials.secret };
    },
  };
}

/** The upstream a request is admitted for, or the answer that refuses it. */
export type Admission = { kind: 'admitted'; upstreamId: string; upstream: UpstreamRegistration } | { kind: 'refused'; response: IngestResponse };

/** The signature covers the raw bytes: this runs before the body is read. `nowMs` is the request's time. */
export async function authenticate(request: IngestRequest, deps: IngestDeps, nowMs: number): Promise<Admission> {
  const { config } = deps;
  const { requestId } = request;
  const appKey = header(request.headers, HEADER.appKey);
  const known = appKey ? await deps.secrets.lookup(appKey) : undefined;
  const nonces = passThroughNonces();
  const signedPath = request.rawQuery ? `${request.path}?${request.rawQuery}` : request.path;
  const verified = verifyRequest({
    method: request.method,
    path: signedPath,
    body: request.body,
    headers: request.headers,
    lookupSecret: (key) => (known && key === appKey ? known.secret : undefined),
    now: nowMs,
    nonces,
    ...(config.signatureWindowSeconds !== undefined && { windowSeconds: config.signatureWindowSeconds }),
  });
  if (!verified.ok || !known || !nonces.last) {
    const code = verified.ok ? 'AUTH_FAILED' : verified.code;
    const message = verified.ok ? 'authentication failed' : verified.message;
    deps.logger.warn('request refused', { requestId, code, appKey, sourceIp: request.sourceIp });
    return { kind: 'refused', response: errorResponse(401, code, message, requestId) };
  }
  if (!(await deps.state.claimNonce(nonces.last.appKey, nonces.last.nonce, nowMs))) {
    deps.logger.warn('request refused', { requestId, code: 'NONCE_REPLAYED', appKey, sourceIp: request.sourceIp });
    return { kind: 'refused', response: errorResponse(401, 'NONCE_REPLAYED', 'nonce already used', requestId) };
  }
  const upstreamId = known.upstreamId;
  const upstream = config.upstreams[upstreamId]!;

  const throttled = await deps.state.throttleRequest(upstreamId, upstream.rateLimitPerMinute, nowMs);
  if (!throttled.allowed) {
    const retryAfter = { 'retry-after': String(throttled.retryAfterSeconds) };
    return {
      kind: 'refused',
      response: errorResponse(429, 'THROTTLED', `more than ${upstream.rateLimitPerMinute} requests this minute`, requestId, retryAfter),
    };
  }
  return { kind: 'admitted', upstreamId, upstream };
}
