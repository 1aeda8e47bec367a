/**
 * Whether an AWS call that failed may succeed if made again — the one answer ingest (503 + Retry-After
 * or not) and the queue writers (retry the entry or not) share.
 *
 * Transient: throttling, service-side faults (5xx), timeouts and network errors, missing credentials
 * (an expired session is renewed). Permanent: every other client fault — the same request fails
 * the same way again (`ValidationException` for an item over 400 KB, `InvalidMessageContents`,
 * `AccessDenied`, a missing table or queue).
 */

/** Error names AWS services use for "slow down", whatever their HTTP status. */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'RequestThrottledException',
  'KMSThrottlingException',
  'SlowDown',
  'TransactionInProgressException',
  'TransactionConflictException',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

/** Failures below the HTTP layer: no response was read. */
const NETWORK = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'CredentialsProviderError',
  'CredentialsError',
]);

interface AwsErrorShape {
  name?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

export function isTransientAwsError(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const e = err as AwsErrorShape;
  const name = e.name ?? '';
  if (THROTTLING.has(name) || NETWORK.has(name) || (e.code !== undefined && NETWORK.has(e.code))) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  if (e.$fault === 'server' || (status !== undefined && (status >= 500 || status === 429))) return true;
  if (e.$fault === 'client' || (status !== undefined && status >= 400)) return false;
  // an SDK error with no response (socket hang-up, DNS): the request never got an answer
  return e.$metadata !== undefined;
}

/**
 * A SendMessageBatch entry refused for its content: sending the same message again fails the same
 * way. Only the content codes: a sender-fault KMS refusal (a disabled key, a missing grant) is the
 * deployment's, not the record's.
 */
const CONTENT_REFUSALS = new Set(['InvalidMessageContents']);

export function isPermanentQueueRefusal(code: string | undefined, senderFault: boolean | undefined): boolean {
  return senderFault === true && CONTENT_REFUSALS.has(code ?? '');
}
