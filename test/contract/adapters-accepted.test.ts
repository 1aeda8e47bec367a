/**
 * Contract tests: every adapter's output for every valid example record is accepted by the
 * simulator that enforces the destination's contract (docs/endpoints.md) — upsert, the same again,
 * then withdraw — over real HTTP, signed as the deliver function signs, each record as the deliver
 * function would deliver it on one day (its publication stated where the destination publishes it).
 * Repairs go after their breaches, as the deliver function sends them. Verifications (from the
 * fixtures: there are no examples of the type yet) go with the commitments, to the platforms that
 * share them; one the contract refuses comes back rejected with the contract's error.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { adapters } from '../../functions/deliver/adapters/index.js';
import type { Delivery, WireRequest } from '../../functions/deliver/adapters/types.js';
import { deliveryOf, idempotencyKey } from '../../functions/deliver/deliver.js';
import { publicationOf, publishedOn } from '../../functions/shared/records/publication.js';
import type { CreditRecord } from '../../functions/shared/records/types.js';
import { signRequest } from '../../functions/shared/signing/sign.js';
import { DESTINATION_IDS, type DestinationId } from '../../topology/topology.js';
import { startSimulators, type Simulators } from '../../local/simulators/index.js';
import { destinationCredentials } from '../support/destination-credentials.js';
import { verificationCases } from '../support/records.js';

const credentials = destinationCredentials('contract');

const examplesDir = fileURLToPath(new URL('../../schemas/examples/', import.meta.url));
const examples = (type: string): CreditRecord[] =>
  readdirSync(`${examplesDir}${type}/valid`)
    .filter((f) => f.endsWith('.json') && !f.includes('normalisation'))
    .map((f) => JSON.parse(readFileSync(`${examplesDir}${type}/valid/${f}`, 'utf8')) as CreditRecord)
    .filter((r) => r.operation === 'upsert');

/** The verification fixtures (schemas/examples has none of the type yet), upserts only as for the examples. */
const verifications = (): CreditRecord[] => (verificationCases() as unknown as CreditRecord[]).filter((r) => r.operation === 'upsert');

const TODAY = '2026-11-28';

/** The breach a repair example repairs, built from the repair's facts on breach example 02 (the platforms hold a repair's breach first). */
function breachOf(repair: CreditRecord): CreditRecord {
  const [base] = examples('breach').filter((b) => b.recordId === 'HXSJ-CF-2026-000036');
  const r = repair.data;
  return {
    ...base!,
    recordId: `${String(r['breachRecordId'])}-for-${repair.recordId}`,
    data: {
      ...base!.data,
      party: r['party'],
      decisionNumber: r['breachDecisionNumber'],
      decisionDate: r['breachDecisionDate'],
      severity: r['severity'],
      authority: r['handlingUnit'],
      authorityUscc: r['handlingUnitUscc'],
      brokenCommitmentCode: undefined,
    },
  };
}

/** Which example records each destination takes (as intake's routes would send them), in the order they go: repairs after breaches. */
const takes: Record<DestinationId, () => CreditRecord[][]> = {
  provincial: () => [[...examples('commitment'), ...verifications()], [...examples('breach'), ...examples('repair').map(breachOf)], examples('repair')],
  municipal: () => [[...examples('commitment'), ...verifications()], [...examples('breach'), ...examples('repair').map(breachOf)], examples('repair')],
  publicColumn: () => [examples('commitment').filter((r) => publishedOn(publicationOf(r), TODAY))],
  district: () => [[...examples('breach'), ...examples('repair').map(breachOf)], examples('repair')],
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
    ...signRequest({
      method: request.method,
      path: request.path,
      ...(request.body !== undefined && { body: request.body }),
      credentials: credentials[destination],
      algorithm: adapter.signatureAlgorithm,
    }),
  };
  const response = await fetch(`${sims.urls[destination]}${request.path}`, {
    method: request.method,
    headers,
    ...(request.body !== undefined && { body: request.body }),
  });
  return adapter.interpret(request, { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() });
}

async function deliverAll(destination: DestinationId, deliveries: Delivery[]) {
  const requests = adapters[destination].buildRequests(deliveries, { fieldKey: credentials[destination].fieldKey, randomBytes });
  return (await Promise.all(requests.map((r) => send(destination, r)))).flat();
}

/** The groups one after the other (repairs after their breaches); within a group, every request at once. */
async function deliverInOrder(destination: DestinationId, groups: readonly Delivery[][]) {
  const outcomes = [];
  for (const group of groups) outcomes.push(...(await deliverAll(destination, group)));
  return outcomes;
}

describe.each(DESTINATION_IDS)('%s adapter against its simulator', (destination) => {
  it('every example it takes is accepted, again as a duplicate, then withdrawn', async () => {
    const groups = takes[destination]();
    const records = groups.flat();
    expect(records.length).toBeGreaterThan(0);
    const delivery = (record: CreditRecord, action: 'upsert' | 'withdraw', revision = record.revision): Delivery =>
      deliveryOf({ ...record, revision }, destination, action, idempotencyKey({ ...record, revision, destination }), TODAY);

    const first = await deliverInOrder(
      destination,
      groups.map((g) => g.map((r) => delivery(r, 'upsert'))),
    );
    expect(first.filter((o) => o.outcome !== 'delivered')).toEqual([]);
    expect(first).toHaveLength(records.length);

    const again = await deliverInOrder(
      destination,
      groups.map((g) => g.map((r) => delivery(r, 'upsert'))),
    );
    expect(again.filter((o) => o.outcome !== 'delivered')).toEqual([]);

    const withdrawn = await deliverAll(
      destination,
      records.map((r) => delivery(r, 'withdraw', r.revision + 1)),
    );
    expect(withdrawn.filter((o) => o.outcome !== 'delivered')).toEqual([]);
    // and the destination really took each record down
    const store = sims.simulators[destination].store;
    // (records may share an identity at a destination: a repair's breach built from the same facts as an example)
    const identities = new Set(store.list().map((r) => r.identity));
    expect(identities.size).toBeGreaterThan(0);
    expect(identities.size).toBeLessThanOrEqual(records.length);
    for (const identity of identities) expect(store.current(identity)?.operation).toBe('withdraw');
    // the platforms that share verifications took them (each a record of its own), and withdrew them
    const verificationType = { provincial: 'HC', municipal: 'verification' } as Partial<Record<DestinationId, string>>;
    const taken = new Set(
      store
        .list()
        .filter((r) => r.type === verificationType[destination])
        .map((r) => r.identity),
    );
    expect(taken.size).toBe(verificationType[destination] === undefined ? 0 : verifications().length);
  });
});

describe.each(['provincial', 'municipal'] as const)('%s: a verification its contract refuses', (destination) => {
  it('is rejected (terminal) with the contract error naming the missing field', async () => {
    const [kept] = verificationCases().slice(1, 2) as unknown as CreditRecord[];
    // past validation, as an adapter sees a record: findings (HC_HCQK) left out
    const { findings: _findings, ...data } = kept!.data;
    const record: CreditRecord = { ...kept!, recordId: 'HC-REFUSED', data };
    const outcomes = await deliverAll(destination, [deliveryOf(record, destination, 'upsert', idempotencyKey({ ...record, destination }), TODAY)]);
    expect(outcomes).toEqual([
      {
        key: expect.any(String),
        outcome: 'rejected',
        reason: destination === 'provincial' ? expect.stringMatching(/^E101 HC_HCQK/) : expect.stringMatching(/^data\.HC_HCQK/),
      },
    ]);
  });
});
