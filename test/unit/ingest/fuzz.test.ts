/**
 * Fuzzed bodies against handleIngestRequest, each request properly signed so the body reaches the
 * parser and the validators: the handler never throws, always answers a documented status with a
 * body valid against the OpenAPI document, and nothing pollutes Object.prototype.
 */
import fc from 'fast-check';
import { handleIngestRequest, type IngestDeps } from '../../../functions/ingest/ingest.js';
import { overriding } from '../../support/in-memory-sync-state.js';
import { commitment } from '../../support/records.js';
import { fakeClients, fakeDeps, signed, undocumented } from './support.js';

const RUNS = { bytes: 500, nesting: 200, huge: 40, proto: 300, mutation: 400 };

let deps: IngestDeps;
beforeEach(() => {
  // a generous rate limit: every run is one request of the same upstream
  const fake = fakeClients();
  deps = fakeDeps(fake, { state: overriding(fake.state, { throttleRequest: async () => ({ allowed: true }) }) });
});
afterEach(() => {
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
});

async function answersDocumented(body: Buffer | string, contentType = 'application/json; charset=utf-8'): Promise<number> {
  const request = signed(typeof body === 'string' ? Buffer.from(body, 'utf8') : body, { contentType });
  const response = await handleIngestRequest(request, deps);
  expect(undocumented(request, response)).toEqual([]);
  expect(response.status).not.toBe(500);
  return response.status;
}

const charset = fc.constantFrom('application/json; charset=utf-8', 'application/json; charset=gb18030', 'application/json');

it(`random bytes (${RUNS.bytes} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), charset, async (bytes, type) => void (await answersDocumented(Buffer.from(bytes), type))),
    { numRuns: RUNS.bytes },
  );
});

it(`deep nesting (${RUNS.nesting} runs)`, async () => {
  const open = fc.constantFrom('[', '{"records":[', '{"a":', '{"__proto__":');
  await fc.assert(
    fc.asyncProperty(open, fc.integer({ min: 1, max: 20_000 }), fc.boolean(), async (prefix, depth, closed) => {
      const closer = prefix === '[' ? ']' : prefix === '{"records":[' ? ']}' : '}';
      const text = prefix.repeat(depth) + '1' + (closed ? closer.repeat(depth) : '');
      expect(depth > 64 || !closed ? [400] : [207, 400]).toContain(await answersDocumented(text));
    }),
    { numRuns: RUNS.nesting },
  );
});

it(`huge strings (${RUNS.huge} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 1_200_000 }), fc.constantFrom('a', '哈', '\u0000', '"'), fc.boolean(), async (length, ch, batch) => {
      const value = ch.repeat(length);
      const record = commitment({ recordId: `H-${length}` }, { content: value });
      const status = await answersDocumented(JSON.stringify(batch ? { records: [record, commitment()] } : record));
      expect([200, 207, 413]).toContain(status);
    }),
    { numRuns: RUNS.huge },
  );
});

it(`prototype-pollution keys (${RUNS.proto} runs)`, async () => {
  const key = fc.constantFrom('__proto__', 'constructor', 'prototype', 'records', 'recordType', 'source', 'data', 'toString', 'hasOwnProperty');
  const pollution = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ polluted: v }));
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(key, pollution), { minLength: 1, maxLength: 4 }), fc.constantFrom('top', 'record', 'data'), async (pairs, where) => {
      const extra = pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',');
      const record = JSON.stringify(commitment());
      const inject = (json: string) => `{${extra},${json.slice(1)}`;
      const text =
        where === 'top'
          ? inject(JSON.stringify({ records: [commitment()] }))
          : where === 'record'
            ? `{"records":[${inject(record)}]}`
            : record.replace('"data":{', `"data":{${extra},`);
      await answersDocumented(text);
    }),
    { numRuns: RUNS.proto },
  );
});

it(`valid records with one field replaced by random JSON (${RUNS.mutation} runs)`, async () => {
  const base = commitment();
  const paths = [...Object.keys(base).map((k) => [k]), ...Object.keys(base['data'] as object).map((k) => ['data', k])];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 4 }), fc.boolean(), async (path, value, batch) => {
      const record = structuredClone(base) as Record<string, Record<string, unknown>>;
      if (path.length === 1) (record as Record<string, unknown>)[path[0]!] = value;
      else record[path[0]!]![path[1]!] = value;
      const status = await answersDocumented(JSON.stringify(batch ? { records: [record] } : record));
      expect([200, 207, 400]).toContain(status);
    }),
    { numRuns: RUNS.mutation },
  );
});
