/**
 * The ingest API over plain HTTP for the local runtime and the benchmarks: a node:http server that
 * turns each request into handleIngestRequest's request (functions/ingest/ingest.ts) — the same
 * code the Lambda runs behind API Gateway (functions/ingest/handler.ts) — and writes its response.
 *
 * The one thing done here rather than in handleIngestRequest is the body size limit: the body is
 * buffered in memory, so a body over `config.maxBodyBytes` (by Content-Length, or counted while
 * reading) is answered 413 at once, in the API's error shape, without reading the rest of it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_MAX_BODY_BYTES, errorResponse, handleIngestRequest, type IngestDeps, type IngestRequest, type IngestResponse } from '../functions/ingest/ingest.js';

export interface IngestServerOptions {
  /** TCP port; 0 (default) lets the OS pick a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  deps: IngestDeps;
}

export interface IngestServer {
  /** `http://<host>:<port>` — the API's base URL (requests go to `${url}/v1/records`). */
  url: string;
  port: number;
  /** Stops listening and closes every connection; resolves once closed. Idempotent. */
  stop(): Promise<void>;
}

/** How long an oversized request's connection stays open after the 413 so the client can read it. */
const OVERSIZE_CLOSE_GRACE_MS = 200;

/** Header values as handleIngestRequest takes them (Node lower-cases names; repeats are joined as API Gateway does). */
function flatHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) out[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  return out;
}

function send(res: ServerResponse, response: IngestResponse, extraHeaders: Record<string, string> = {}): void {
  const body = Buffer.from(response.body, 'utf8');
  res.writeHead(response.status, { ...response.headers, ...extraHeaders, 'content-length': String(body.length) });
  res.end(body);
}

/** Answers 413 with the body left unread: the connection is closed shortly after the answer is written. */
function refuseOversize(req: IncomingMessage, res: ServerResponse, requestId: string, limit: number, size: string): void {
  if (res.headersSent) return;
  send(res, errorResponse(413, 'PAYLOAD_TOO_LARGE', `the body is ${size} bytes; the limit is ${limit}`, requestId), { connection: 'close' });
  res.once('finish', () => {
    // nothing more is read (the client's upload stalls); the socket goes once the client had time to read the answer
    const timer = setTimeout(() => req.socket.destroy(), OVERSIZE_CLOSE_GRACE_MS);
    timer.unref();
  });
}

export async function startIngestServer({ port = 0, host = '127.0.0.1', deps }: IngestServerOptions): Promise<IngestServer> {
  const maxBodyBytes = deps.config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    const declared = req.headers['content-length'];
    if (declared !== undefined && /^[0-9]+$/.test(declared) && Number(declared) > maxBodyBytes) {
      refuseOversize(req, res, requestId, maxBodyBytes, declared);
      return;
    }

    const chunks: Buffer[] = [];
    let received = 0;
    let oversize = false;
    req.on('data', (chunk: Buffer) => {
      if (oversize) return;
      received += chunk.length;
      if (received > maxBodyBytes) {
        oversize = true;
        chunks.length = 0;
        req.pause();
        refuseOversize(req, res, requestId, maxBodyBytes, `more than ${maxBodyBytes}`);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      // the client went away: nothing to answer
    });
    req.on('end', () => {
      if (oversize) return;
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const request: IngestRequest = {
        method: req.method ?? 'GET',
        path: q < 0 ? url : url.slice(0, q),
        rawQuery: q < 0 || q === url.length - 1 ? undefined : url.slice(q + 1),
        headers: flatHeaders(req),
        body: Buffer.concat(chunks, received),
        requestId,
        sourceIp: req.socket.remoteAddress,
      };
      handleIngestRequest(request, deps).then(
        (response) => send(res, response),
        (err: unknown) => {
          // handleIngestRequest answers its own failures; this is only a last resort
          deps.logger.error('ingest server failed', { requestId, error: err instanceof Error ? err.message : String(err) });
          if (!res.headersSent) send(res, errorResponse(500, 'INTERNAL_ERROR', 'internal error; the request id identifies it in the logs', requestId));
          else res.destroy();
        },
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    stop: () =>
      (stopping ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      })),
  };
}
