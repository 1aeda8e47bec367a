/**
 * `npm run push -- <file.json> [--url http://127.0.0.1:4580]`: pushes a record to the local
 * runtime's ingest API as its upstream would — signed with that upstream's local credentials
 * (the upstream registered for the record's source and type in topology/upstreams.ts) — prints the
 * answer, then follows the record's state (GET /v1/records/…) until every destination has an outcome.
 */
import { readFileSync } from 'node:fs';
import { signRequest } from '../functions/shared/signing/sign.js';
import { upstreams } from '../topology/upstreams.js';
import { localCredentials } from './runtime/runtime.js';

interface Args {
  file: string;
  url: string;
  waitSeconds: number;
}

function parseArgs(argv: readonly string[]): Args | string {
  const args: Args = { file: '', url: 'http://127.0.0.1:4580', waitSeconds: 30 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--url') args.url = argv[++i] ?? '';
    else if (arg === '--wait') args.waitSeconds = Number(argv[++i]);
    else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else args.file = arg;
  }
  if (!args.file) return 'usage: npm run push -- <record.json> [--url http://127.0.0.1:4580] [--wait seconds]';
  return args;
}

async function signedFetch(
  url: string,
  path: string,
  method: 'GET' | 'POST',
  credentials: { appKey: string; secret: string },
  body?: string,
): Promise<{ status: number; json: unknown }> {
  const headers = signRequest({ method, path, body, credentials, algorithm: 'HMAC-SHA256' });
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json; charset=utf-8' }) },
    ...(body !== undefined && { body }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    console.error(args);
    return 2;
  }
  const body = readFileSync(args.file, 'utf8');
  const record = JSON.parse(body) as { recordType?: string; source?: string; recordId?: string; revision?: number };
  const entry = Object.entries(upstreams).find(
    ([, u]) => (u.sources as readonly string[]).includes(record.source ?? '') && (u.recordTypes as readonly string[]).includes(record.recordType ?? ''),
  );
  if (!entry) {
    console.error(`no registered upstream may push a ${record.recordType} of source ${record.source} (topology/upstreams.ts)`);
    return 2;
  }
  const [upstreamId] = entry;
  const credentials = localCredentials().upstreams[upstreamId as keyof typeof upstreams];
  const pushed = await signedFetch(args.url, '/v1/records', 'POST', credentials, body);
  console.log(`POST /v1/records as ${upstreamId} → ${pushed.status}`);
  console.log(JSON.stringify(pushed.json, null, 2));
  if (pushed.status !== 200) return 1;

  const path = `/v1/records/${record.recordType}/${encodeURIComponent(record.recordId ?? '')}?source=${encodeURIComponent(record.source ?? '')}`;
  const deadline = Date.now() + args.waitSeconds * 1000;
  let last = '';
  for (;;) {
    const state = await signedFetch(args.url, path, 'GET', credentials);
    const text = JSON.stringify(state.json, null, 2);
    if (text !== last) {
      console.log(`GET ${path} → ${state.status}`);
      console.log(text);
      last = text;
    }
    const json = state.json as { destinations?: Array<{ status?: string; revision?: number }>; routedRevision?: number } | undefined;
    const destinations = json?.destinations ?? [];
    // this revision's outcome everywhere (an earlier revision's "delivered" is not this push's)
    const done = (d: { status?: string; revision?: number }) =>
      (d.status === 'delivered' || d.status === 'rejected') && (d.revision ?? 0) >= (record.revision ?? 0);
    if (state.status === 200 && destinations.length > 0 && destinations.every(done)) return 0;
    // routed, and to no destination: a record the exchange keeps and shares nowhere (the licensing-item list, a decision not to punish)
    if (state.status === 200 && destinations.length === 0 && (json?.routedRevision ?? 0) >= (record.revision ?? 0)) {
      console.log(`routed to no destination: the exchange keeps a ${record.recordType} and shares it nowhere (docs/routing.md)`);
      return 0;
    }
    if (Date.now() > deadline) {
      console.error(`not every destination has an outcome after ${args.waitSeconds} s`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
