/**
 * GET /v1/records/{recordType}/{recordId}: the record's accepted revision and its state at each
 * destination, for an upstream registered for the record's type and source.
 */
import type { UpstreamRegistration } from '../../topology/upstreams.js';
import { RECORD_TYPES } from '../shared/records/generated/schema-index.js';
import type { RecordType } from '../shared/records/types.js';
import type { RecordState } from '../shared/state/sync-state.js';
import { errorResponse, respond, type IngestRequest, type IngestResponse } from './http.js';
import type { IngestDeps } from './ingest.js';

const recordTypes: ReadonlySet<string> = new Set(RECORD_TYPES);

export async function readRecord(
  recordType: string,
  recordId: string,
  request: IngestRequest,
  upstream: UpstreamRegistration,
  deps: IngestDeps,
): Promise<IngestResponse> {
  const { requestId } = request;
  const source = new URLSearchParams(request.rawQuery ?? '').get('source');
  if (!source) return errorResponse(400, 'INVALID_REQUEST', 'query parameter source is required (the envelope source of the record)', requestId);
  if (!recordTypes.has(recordType)) return errorResponse(400, 'INVALID_REQUEST', `recordType must be one of ${RECORD_TYPES.join(', ')}`, requestId);
  if (!upstream.sources.includes(source) || !upstream.recordTypes.includes(recordType as RecordType)) {
    return errorResponse(403, 'FORBIDDEN', `this upstream is not registered for ${recordType} records of source ${source}`, requestId);
  }
  const state = await deps.state.readRecordState({ recordType: recordType as RecordType, source, recordId });
  const meta = state.meta;
  if (!meta)
    return errorResponse(404, 'NOT_FOUND', 'no accepted revision of this record (a record just pushed appears once intake has processed it)', requestId);
  return respond(
    200,
    {
      recordType,
      source,
      recordId,
      revision: meta.revision,
      operation: meta.operation,
      acceptedAt: meta.acceptedAt,
      ...(meta.routedRevision !== undefined && { routedRevision: meta.routedRevision }),
      destinations: [
        ...state.destinations,
        // routed there, nothing recorded yet: on its way
        ...meta.routedTo
          .filter((d) => !state.destinations.some((s) => s.destination === d))
          .map((destination): RecordState['destinations'][number] => ({ destination, revision: meta.routedRevision ?? meta.revision, status: 'pending' })),
      ]
        .map((d) => ({
          destination: d.destination,
          revision: d.revision,
          status: d.status,
          ...(typeof d['attempts'] === 'number' && { attempts: d['attempts'] }),
          ...(typeof d['lastError'] === 'string' && { lastError: d['lastError'] }),
          ...(typeof d['updatedAt'] === 'string' && { updatedAt: d['updatedAt'] }),
          // where the destination publishes the record type: what the delivered send stated, and its end
          ...(typeof d['published'] === 'boolean' && { published: d['published'] }),
          ...(typeof d['publishedUntil'] === 'string' && { publishedUntil: d['publishedUntil'] }),
          ...(typeof d['publicationEndedAt'] === 'string' && { publicationEndedAt: d['publicationEndedAt'] }),
        }))
        .sort((a, b) => a.destination.localeCompare(b.destination)),
    },
    requestId,
  );
}
