/** REV# items' records, compressed: the frozen dictionary, the round trip, both forms read, a record under one write unit. */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { RECORD_CODING, packRecord, unpackRecord } from '../../../functions/shared/state/record-compression.js';
import { RECORD_DICTIONARY_V1 } from '../../../functions/shared/state/record-dictionary-v1.js';
import { breach, commitment, repair } from '../../support/records.js';

describe('record compression', () => {
  it('keeps dictionary 1 byte for byte: items written with it must stay readable', () => {
    expect(createHash('sha256').update(RECORD_DICTIONARY_V1, 'utf8').digest('hex')).toBe('ccc244b331a306b99922ab128929b6502246cbd50d91acc333f85d2f51256a8a');
  });

  it('reads back exactly the JSON it was given, and the text form items had before', () => {
    for (const record of [commitment(), breach(), repair()]) {
      const json = JSON.stringify(record);
      const packed = packRecord(json);
      expect(packed.recordCoding).toBe(RECORD_CODING);
      expect(unpackRecord({ ...packed })).toBe(json);
      expect(unpackRecord({ record: json })).toBe(json);
    }
    expect(unpackRecord({})).toBeUndefined();
    expect(unpackRecord(undefined)).toBeUndefined();
    expect(() => unpackRecord({ recordZ: new Uint8Array([1, 2]), recordCoding: 'zstd;dict=9' })).toThrow(/cannot read it/);
  });

  it("brings every example of the contract under 1 KB with room for the item's key and attributes", () => {
    const dir = 'schemas/examples';
    const sizes = readdirSync(dir).flatMap((type) =>
      readdirSync(`${dir}/${type}/valid`).map((file) => {
        const json = JSON.stringify(JSON.parse(readFileSync(`${dir}/${type}/valid/${file}`, 'utf8')));
        return { file: `${type}/${file}`, json: Buffer.byteLength(json), packed: packRecord(json).recordZ.length };
      }),
    );
    expect(sizes.length).toBeGreaterThan(40);
    // a REV# item's other attributes (key, revision, hash, time, coding) take about 200 B
    for (const s of sizes) expect({ file: s.file, fits: s.packed <= 800 }).toEqual({ file: s.file, fits: true });
    expect(sizes.filter((s) => s.json > 1024).length).toBeGreaterThan(10);
  });
});
