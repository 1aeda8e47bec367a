/** The adapter registry: one adapter per destination of topology/topology.ts, each as its contract says. */
import { DESTINATION_IDS, destinations } from '../../../topology/topology.js';
import { adapters } from '../../../functions/deliver/adapters/index.js';
import { provincial } from '../../../functions/deliver/adapters/provincial.js';
import { publicColumn } from '../../../functions/deliver/adapters/public-column.js';
import { sm4DecryptField } from '../../../functions/shared/signing/sm4.js';
import { delivery, exampleByPrefix, FIELD_KEY, parsedBody, testContext } from './helpers.js';

describe('adapters', () => {
  test.each(DESTINATION_IDS)('destination %s has an adapter', (id) => {
    const adapter = adapters[id];
    expect(adapter).toBeDefined();
    expect(adapter.destination).toBe(id);
  });

  test('no adapter without a destination', () => {
    expect(Object.keys(adapters).sort()).toEqual(Object.keys(destinations).sort());
  });

  test('signature method and batch size as docs/endpoints.md names them', () => {
    const table = Object.fromEntries(Object.entries(adapters).map(([id, a]) => [id, [a.signatureAlgorithm, a.maxBatchSize]]));
    expect(table).toEqual({
      provincial: ['HMAC-SM3', 100],
      municipal: ['HMAC-SHA256', 1],
      publicColumn: ['HMAC-SM3', 50],
      district: ['HMAC-SHA256', 20],
    });
  });

  test('a natural-person commitment: masked on the public column, encrypted to the province', () => {
    const record = exampleByPrefix('commitment', '03', (raw) => ((raw['data'] as Record<string, unknown>)['publicationType'] = '可向社会公开'));
    const id = '230103198207150318';
    const [pub] = publicColumn.buildRequests([delivery(record, 'publicColumn')], testContext());
    expect((parsedBody(pub!) as { items: { ztdm: string }[] }).items[0]!.ztdm).toBe('230103********0318');
    const [prov] = provincial.buildRequests([delivery(record, 'provincial')], testContext());
    expect(prov!.body).not.toContain(id);
    const fields = (parsedBody(prov!) as { records: { fields: Record<string, string> }[] }).records[0]!.fields;
    expect(sm4DecryptField(fields['CN_CNZTDM']!, FIELD_KEY)).toBe(id);
  });
});
