/**
 * Upstream systems registered with the ingest API (functions/ingest). Each one signs its requests
 * with its own app key and secret (docs/endpoints.md, "Request signing"; the secret is a JSON
 * credentials secret `{"appKey","secret"}` in Secrets Manager) and may push only the envelope
 * sources and record types listed here: a record for any other source or type is refused per record
 * and never enqueued. Every source named here must be registered in topology.ts.
 */
import type { RecordType } from '../functions/shared/records/types.js';

export interface Upstream {
  title: string;
  /** The app key the upstream sends in X-App-Key. */
  appKey: string;
  /** Name of the Secrets Manager secret holding `{"appKey":…,"secret":…}`. */
  credentialsSecret: string;
  /** Envelope sources (`record.source`) this upstream may push, and read the state of. */
  sources: readonly string[];
  recordTypes: readonly RecordType[];
  /** Requests per minute (fixed one-minute windows, counted in the sync-state table). */
  rateLimitPerMinute: number;
}

export const upstreams = {
  'hrbxq-approval-system': {
    title: '哈尔滨新区审批监管执法信用一体化平台（审批）',
    appKey: 'hrbxq-approval',
    credentialsSecret: 'credex/upstreams/hrbxq-approval',
    sources: ['hrbxq-approval'],
    recordTypes: ['commitment'],
    rateLimitPerMinute: 600,
  },
  'hrbxq-enforcement-system': {
    title: '哈尔滨新区综合行政执法系统',
    appKey: 'hrbxq-enforcement',
    credentialsSecret: 'credex/upstreams/hrbxq-enforcement',
    sources: ['hrbxq-enforcement'],
    recordTypes: ['breach'],
    rateLimitPerMinute: 600,
  },
  'hrb-credit-repair-window': {
    title: '哈尔滨新区信用修复受理窗口',
    appKey: 'hrb-credit-repair',
    credentialsSecret: 'credex/upstreams/hrb-credit-repair',
    sources: ['hrb-credit-repair'],
    recordTypes: ['repair'],
    rateLimitPerMinute: 300,
  },
  'hlj-credit-platform': {
    title: '黑龙江省公共信用信息共享平台',
    appKey: 'hlj-credit-platform',
    credentialsSecret: 'credex/upstreams/hlj-credit-platform',
    sources: ['hlj-credit-platform'],
    recordTypes: ['breach', 'repair'],
    rateLimitPerMinute: 1200,
  },
} as const satisfies Record<string, Upstream>;

export type UpstreamId = keyof typeof upstreams;
