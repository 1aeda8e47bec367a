/**
 * Contract tests: every adapter's output for every valid example record is accepted by the
 * simulator that enforces the destination's contract (docs/endpoints.md) — upsert, the same again,
 * then withdraw — over real HTTP, signed as the deliver function signs.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { adapters } from '../../functions/deliver/adapters/index.js';
import type { Delivery, WireRequest } from '../../functions/deliver/adapters/types.js';
import { idempotencyKey } from '../../functions/deliver/deliver.js';
import type { CreditRecord } from '../../functions/shared/records/types.js';
import { signRequest } from '../../functions/shared/signing/sign.js';
import { DESTINATION_IDS, type DestinationId } from '../../infra/topology.js';
import { startSimulators, type Simulators } from '../../local/simulators/index.js';
import { destinationCredentials } from '../support/destination-credentials.js';

const credentials = destinationCredentials('contract');

const examplesDir = fileURLToPath(new URL('../../schemas/examples/', import.meta.url));
const examples = (type: string): CreditRecord[] =>
  readdirSync(`${examplesDir}${type}/valid`)
    .filter((f) => f.endsWith('.json') && !f.includes('normalisation'))
    .map((f) => JSON.parse(readFileSync(`${examplesDir}${type}/valid/${f}`, 'utf8')) as CreditRecord)
    .filter((r) => r.operation === 'upsert');

/** Which example records each destination takes (as intake's routes would send them). */
const takes: Record<DestinationId, () => CreditRecord[]> = {
  provincial: () => [...examples('commitment'), ...examples('breach'), ...examples('repair')],
  municipal: () => [...examples('commitment'), ...examples('breach'), ...examples('repair')],
  publicColumn: () => examples('commitment').filter((r) => r.data['publicationType'] === '可向社会公开'),
  district: () => [...examples('breach'), ...examples('repair')],
};

let sims: Simulators;
beforeAll(async () => {
  sims = await startSimulators({ credentials });
});
afterAll(async () => sims.stop());

async function send(destination: DestinationId, request: WireRequest) {
  const adapter = adapters[destination];
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    ...signRequest({ method: request.method, path: request.path, ...(request.body !== undefined && { body: request.body }), credentials: credentials[destination], algorithm: adapter.signatureAlgorithm }),
  };
  const response = await fetch(`${sims.urls[destination]}${request.path}`, { method: request.method, headers, ...(request.body !== undefined && { body: request.body }) });
  return adapter.interpret(request, { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() });
}

async function deliverAll(destination: DestinationId, deliveries: Delivery[]) {
  const requests = adapters[destination].buildRequests(deliveries, { fieldKey: credentials[destination].fieldKey, randomBytes });
  return (await Promise.all(requests.map((r) => send(destination, r)))).flat();
}

describe.each(DESTINATION_IDS)('%s adapter against its simulator', (destination) => {
  it('every example it takes is accepted, again as a duplicate, then withdrawn', async () => {
    const records = takes[destination]();
    expect(records.length).toBeGreaterThan(0);
    const delivery = (record: CreditRecord, action: 'upsert' | 'withdraw', revision = record.revision): Delivery => ({
      record: { ...record, revision },
      action,
      idempotencyKey: idempotencyKey({ ...record, revision, destination }),
    });

    const first = await deliverAll(destination, records.map((r) => delivery(r, 'upsert')));
    expect(first.filter((o) => o.outcome !== 'delivered')).toEqual([]);
    expect(first).toHaveLength(records.length);

    const again = await deliverAll(destination, records.map((r) => delivery(r, 'upsert')));
    expect(again.filter((o) => o.outcome !== 'delivered')).toEqual([]);

    const withdrawn = await deliverAll(destination, records.map((r) => delivery(r, 'withdraw', r.revision + 1)));
    expect(withdrawn.filter((o) => o.outcome !== 'delivered')).toEqual([]);
    // and the destination really took each record down
    const store = sims.simulators[destination].store;
    const identities = new Set(store.list().map((r) => r.identity));
    expect(identities.size).toBe(records.length);
    for (const identity of identities) expect(store.current(identity)?.operation).toBe('withdraw');
  });
});
