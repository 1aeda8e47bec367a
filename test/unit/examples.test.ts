/**
 * The example records in schemas/examples/ are part of the contract upstreams read: every valid
 * example must pass the validator untouched (normalisation allowed), and every invalid example
 * must fail with exactly the errors (JSON pointer + rule) its file lists.
 *
 *   schemas/examples/<recordType>/valid/NN-<slug>.json    the record, as an upstream sends it
 *                                      (…-needs-normalisation.json: valid only after normalisation)
 *   schemas/examples/<recordType>/invalid/NN-<slug>.json  { description, expectedErrors, record }
 *                                      (an expected error may add messageContains)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RECORD_TYPES } from '../../functions/shared/records/generated/schema-index.js';
import { validateRecord } from '../../functions/shared/records/validate.js';

const EXAMPLES_DIR = fileURLToPath(new URL('../../schemas/examples/', import.meta.url));
const MIN_VALID = 5;
const MIN_INVALID = 15;
const FILE_NAME = /^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*\.json$/;

interface PathAndRule {
  path: string;
  rule: string;
  /** Optional: a phrase the message must contain, where the rule alone does not pin the defect. */
  messageContains?: string;
}

interface InvalidExample {
  description: string;
  expectedErrors: PathAndRule[];
  record: Record<string, unknown>;
}

type Kind = 'valid' | 'invalid';

const listFiles = (type: string, kind: Kind): string[] =>
  readdirSync(`${EXAMPLES_DIR}${type}/${kind}`)
    .filter((f) => f.endsWith('.json'))
    .sort();

const readJson = (type: string, kind: Kind, file: string): unknown => JSON.parse(readFileSync(`${EXAMPLES_DIR}${type}/${kind}/${file}`, 'utf8')) as unknown;

/** Order-insensitive comparison that still counts repeats (two errors on one field stay two). */
const sorted = (list: readonly PathAndRule[]): PathAndRule[] =>
  list.map(({ path, rule }) => ({ path, rule })).sort((a, b) => a.path.localeCompare(b.path) || a.rule.localeCompare(b.rule));

const types = [...RECORD_TYPES];

describe('schemas/examples', () => {
  it('has one folder per record type, each with valid/ and invalid/', () => {
    expect(readdirSync(EXAMPLES_DIR).sort()).toEqual([...types].sort());
    for (const type of types) expect(readdirSync(`${EXAMPLES_DIR}${type}`).sort()).toEqual(['invalid', 'valid']);
  });

  it.each(types)(`%s has at least ${MIN_VALID} valid and ${MIN_INVALID} invalid examples, named NN-<slug>.json`, (type) => {
    const valid = listFiles(type, 'valid');
    const invalid = listFiles(type, 'invalid');
    expect(valid.length).toBeGreaterThanOrEqual(MIN_VALID);
    expect(invalid.length).toBeGreaterThanOrEqual(MIN_INVALID);
    for (const file of [...valid, ...invalid]) expect(file).toMatch(FILE_NAME);
    for (const kind of ['valid', 'invalid']) {
      expect(readdirSync(`${EXAMPLES_DIR}${type}/${kind}`).filter((f) => !f.endsWith('.json'))).toEqual([]);
    }
  });
});

describe.each(types)('%s examples', (type) => {
  describe('valid', () => {
    it.each(listFiles(type, 'valid'))('%s', (file) => {
      const record = readJson(type, 'valid', file) as Record<string, unknown>;
      expect(record['recordType']).toBe(type);
      const result = validateRecord(record);
      expect(result.errors).toEqual([]);
      expect(result.valid).toBe(true);
      if (file.includes('needs-normalisation')) expect(result.normalised.length).toBeGreaterThan(0);
      else expect(result.normalised).toEqual([]);
    });
  });

  describe('invalid', () => {
    it.each(listFiles(type, 'invalid'))('%s', (file) => {
      const example = readJson(type, 'invalid', file) as InvalidExample;
      expect(Object.keys(example).sort()).toEqual(['description', 'expectedErrors', 'record']);
      expect(typeof example.description).toBe('string');
      expect(example.description.trim()).not.toBe('');
      expect(Array.isArray(example.expectedErrors)).toBe(true);
      expect(example.expectedErrors.length).toBeGreaterThan(0);

      // an example about a wrong recordType cannot match its folder; every other one must
      if (!example.expectedErrors.some((e) => e.path === '/recordType')) expect(example.record['recordType']).toBe(type);

      const result = validateRecord(example.record);
      expect(result.valid).toBe(false);
      expect(sorted(result.errors)).toEqual(sorted(example.expectedErrors));
      for (const expected of example.expectedErrors.filter((e) => e.messageContains !== undefined)) {
        const messages = result.errors.filter((e) => e.path === expected.path && e.rule === expected.rule).map((e) => e.message);
        expect(messages).toContainEqual(expect.stringContaining(expected.messageContains!));
      }
      for (const error of result.errors) {
        expect(typeof error.message).toBe('string');
        expect(error.message.trim()).not.toBe('');
        expect(error.message).toMatch(/[A-Za-z]{2,}/); // worded in English, not only codes or Chinese values
      }
    });
  });
});
