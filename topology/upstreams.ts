/**
 * Upstream systems registered with the ingest API (functions/ingest). Each one signs its requests
 * with its own app key and secret (docs/endpoints.md, "Request signing"; the secret is a JSON
 * credentials secret `{"appKey","secret"}` in Secrets Manager, named
 * `<prefix>/upstreams/<upstreamId>`) and may push only the envelope sources and record types listed
 * here: a record for any other source or type is refused per record and never enqueued. Every
 * source named here must be registered in topology.ts.
 *
 * The registry carries no secret names: the prefix is the deployment's (the stack's `credex/<stage>`,
 * so two stages in one account never share a secret; `credex` by default), and resolveUpstreams
 * fills them in.
 */
import type { RecordType } from './record-types.js';
import { FEED } from './names.js';

/** An upstream as the ingest function uses it: registered, with the name of its secret resolved. */
export interface Upstream {
  title: string;
  /** The app key the upstream sends in X-App-Key. */
  appKey: string;
  /** Name of the Secrets Manager secret holding `{"appKey":…,"secret":…}` (upstreamSecretName). */
  credentialsSecret: string;
  /** Envelope sources (`record.source`) this upstream may push, and read the state of. */
  sources: readonly string[];
  recordTypes: readonly RecordType[];
  /** Requests per minute (fixed one-minute windows, counted in the sync-state table). */
  rateLimitPerMinute: number;
  /**
   * What the upstream may ask beyond pushing and reading its records: `creditCheck` — the credit
   * check (GET /v1/subjects/{code}/credit), for the approval systems that grant licences by
   * commitment. Every check is logged (who asked about whom, when, what was answered).
   */
  permissions?: readonly UpstreamPermission[];
}

export type UpstreamPermission = 'creditCheck';

/** An entry of the registry: everything but the secret name, which depends on the deployment. */
export type UpstreamRegistration = Omit<Upstream, 'credentialsSecret'>;

export const upstreams = {
  'hrbxq-approval-system': {
    title: '哈尔滨新区审批监管执法信用一体化平台（审批）',
    appKey: 'hrbxq-approval',
    sources: ['hrbxq-approval'],
    recordTypes: ['commitment', 'licensingItem', 'verification'],
    rateLimitPerMinute: 600,
    permissions: ['creditCheck'],
  },
  'hrbxq-enforcement-system': {
    title: '哈尔滨新区综合行政执法系统',
    appKey: 'hrbxq-enforcement',
    sources: ['hrbxq-enforcement'],
    recordTypes: ['breach', 'nonPenalty'],
    rateLimitPerMinute: 600,
  },
  'hrb-credit-repair-window': {
    title: '哈尔滨新区信用修复受理窗口',
    appKey: 'hrb-credit-repair',
    sources: ['hrb-credit-repair'],
    recordTypes: ['repair'],
    rateLimitPerMinute: 300,
  },
  [FEED.source]: {
    title: '黑龙江省公共信用信息共享平台',
    appKey: FEED.source,
    sources: [FEED.source],
    recordTypes: FEED.recordTypes,
    rateLimitPerMinute: 1200,
  },
} as const satisfies Record<string, UpstreamRegistration>;

export type UpstreamId = keyof typeof upstreams;

/** Requests per second every registered upstream together may make (their per-minute limits, summed, rounded up). */
export function registeredRequestsPerSecond(registry: Readonly<Record<string, UpstreamRegistration>> = upstreams): number {
  return Math.ceil(Object.values(registry).reduce((n, u) => n + u.rateLimitPerMinute, 0) / 60);
}

/** A secret prefix: Secrets Manager name parts (letters, digits, _+=.@-) joined by single slashes. */
export const SECRET_PREFIX_PATTERN = /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/;

/** The Secrets Manager secret of an upstream's credentials, under a deployment's secret prefix. */
export function upstreamSecretName(secretPrefix: string, upstreamId: string): string {
  return `${secretPrefix}/upstreams/${upstreamId}`;
}

/** Every registered upstream with the name of its secret under `secretPrefix`. */
export function resolveUpstreams(secretPrefix: string): Record<UpstreamId, Upstream> {
  const entries = Object.entries(upstreams).map(([id, upstream]) => [id, { ...upstream, credentialsSecret: upstreamSecretName(secretPrefix, id) }]);
  return Object.fromEntries(entries) as Record<UpstreamId, Upstream>;
}
