/**
 * The ingest API over plain HTTP for the local runtime and the benchmarks: a node:http server that
 * turns each request into handleIngestRequest's request (functions/ingest/ingest.ts) — the same
 * code the Lambda runs behind API Gateway (functions/ingest/handler.ts) — and writes its response.
 *
 * Done here rather than in handleIngestRequest: the body size limit — the body is buffered in
 * memory, so the bytes of a body over `config.maxBodyBytes` (by Content-Length, or counted while
 * reading) are read and thrown away, up to twice the limit, and then answered 413 in the API's
 * error shape (a client still sending when the server closes sees a reset, not the answer) — and
 * the answers to requests Node's parser refuses (431 for headers over 16 KiB, 400), in that shape too.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_MAX_BODY_BYTES,
  errorResponse,
  handleIngestRequest,
  type IngestDeps,
  type IngestRequest,
  type IngestResponse,
} from '../functions/ingest/ingest.js';

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
/** An oversized body is read and discarded up to this many times the limit; beyond, the 413 goes at once and the connection closes. */
const DRAIN_CAP_FACTOR = 2;

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

/** Answers 413 and closes the connection shortly after the answer is written (the rest of the body is not read). */
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
  const drainCapBytes = DRAIN_CAP_FACTOR * maxBodyBytes;

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    const declared = req.headers['content-length'];
    const declaredBytes = declared !== undefined && /^[0-9]+$/.test(declared) ? Number(declared) : undefined;
    if (declaredBytes !== undefined && declaredBytes > drainCapBytes) {
      refuseOversize(req, res, requestId, maxBodyBytes, declared!);
      return;
    }

    const chunks: Buffer[] = [];
    let received = 0;
    // over the limit: the bytes are counted and dropped until the body ends, then 413
    let oversize = declaredBytes !== undefined && declaredBytes > maxBodyBytes;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (!oversize && received > maxBodyBytes) {
        oversize = true;
        chunks.length = 0;
      }
      if (!oversize) chunks.push(chunk);
      else if (received > drainCapBytes) refuseOversize(req, res, requestId, maxBodyBytes, `more than ${drainCapBytes}`);
    });
    req.on('error', () => {
      // the client went away: nothing to answer
    });
    req.on('end', () => {
      if (oversize) {
        if (!res.headersSent)
          send(res, errorResponse(413, 'PAYLOAD_TOO_LARGE', `the body is ${declared ?? received} bytes; the limit is ${maxBodyBytes}`, requestId), {
            connection: 'close',
          });
        return;
      }
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

  // what Node's HTTP parser refuses before a request exists: answered in the API's error shape
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || (err as { bytesParsed?: number }).bytesParsed === undefined) {
      socket.destroy();
      return;
    }
    const requestId = randomUUID();
    const response =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? errorResponse(431, 'HEADERS_TOO_LARGE', 'the request headers are over 16 KiB', requestId)
        : errorResponse(400, 'INVALID_REQUEST', 'the request is not valid HTTP/1.1', requestId);
    const body = Buffer.from(response.body, 'utf8');
    const head = [
      `HTTP/1.1 ${response.status} ${response.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}`,
      ...Object.entries({ ...response.headers, 'content-length': String(body.length), connection: 'close' }).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]));
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
