/** Text every destination can carry: which characters a record may hold, and which it may not. */
import fc from 'fast-check';
import { duplicateKeys } from '../../functions/shared/records/duplicate-keys.js';
import { unsupportedCharacter, unsupportedText } from '../../functions/shared/records/text.js';
import { isTransientAwsError } from '../../functions/shared/aws-errors.js';

/** The characters SQS, GB 18030 and XML all carry: every scalar value but the refused ones. */
const refused = (cp: number) =>
  (cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) ||
  (cp >= 0x7f && cp <= 0x9f) ||
  (cp >= 0xd800 && cp <= 0xdfff) ||
  (cp >= 0xfdd0 && cp <= 0xfdef) ||
  (cp & 0xfffe) === 0xfffe;

describe('unsupportedCharacter', () => {
  it('accepts supplementary-plane CJK, full-width punctuation, tab, line feed and carriage return', () => {
    for (const text of ['𠮷𠀀有限公司', '（有限）、，', 'a\tb\nc\r', '\u{2A6D6}\u{30000}', '\uFFFD']) expect(unsupportedCharacter(text)).toBeUndefined();
  });

  it('names the first refused character, its kind and its position in characters', () => {
    expect(unsupportedCharacter('𠮷a\uFFFE')).toBe('U+FFFE, a noncharacter, at character 3: no destination platform accepts it');
    expect(unsupportedCharacter('ab\udc00')).toContain('U+DC00, a lone surrogate');
    expect(unsupportedCharacter('\ud800b')).toContain('U+D800, a lone surrogate');
    expect(unsupportedCharacter('x\u0085')).toContain('U+0085, a control character');
    expect(unsupportedCharacter('\u{10FFFF}')).toContain('U+10FFFF, a noncharacter');
  });

  it('agrees with the definition on every code point', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x10ffff }), (cp) => {
        // a lone surrogate, built from its UTF-16 unit (String.fromCodePoint would pair nothing either)
        const text = `a${String.fromCodePoint(cp)}b`;
        expect(unsupportedCharacter(text) !== undefined).toBe(refused(cp));
      }),
      { numRuns: 20_000 },
    );
    const noncharacters = [
      ...Array.from({ length: 32 }, (_, i) => 0xfdd0 + i),
      ...Array.from({ length: 17 }, (_, plane) => [plane * 0x10000 + 0xfffe, plane * 0x10000 + 0xffff]).flat(),
    ];
    expect(noncharacters).toHaveLength(66);
    for (const cp of noncharacters)
      expect([cp, unsupportedCharacter(`a${String.fromCodePoint(cp)}b`)]).toEqual([cp, expect.stringContaining('a noncharacter')]);
    for (const cp of [
      0x00, 0x09, 0x0a, 0x0b, 0x1f, 0x20, 0x7e, 0x7f, 0x9f, 0xa0, 0xd7ff, 0xd800, 0xdfff, 0xe000, 0xfdcf, 0xfdd0, 0xfdef, 0xfdf0, 0xfffd, 0xfffe, 0xffff,
      0x10000, 0x1fffe, 0x10fffd, 0x10ffff,
    ]) {
      expect([cp, unsupportedCharacter(`a${String.fromCodePoint(cp)}b`) !== undefined]).toEqual([cp, refused(cp)]);
    }
  });
});

describe('unsupportedText', () => {
  it('reports every string value and property name with its JSON pointer', () => {
    expect(unsupportedText({ a: ['ok', 'x\u0000'], 'b/\uFFFF': { c: '\udfff' } }).map((i) => [i.path, i.rule])).toEqual([
      ['/a/1', 'text'],
      ['/b~1\uFFFF', 'text'],
      ['/b~1\uFFFF/c', 'text'],
    ]);
  });
});

describe('duplicateKeys', () => {
  it('finds each repeated property, nested and in arrays, with escapes in strings', () => {
    const text = '{"a":1,"b":{"c":1,"c":2},"a":3,"r":[{"x":1},{"x":1,"x":2}],"s":"q\\":"}';
    expect(duplicateKeys(text, JSON.parse(text))).toEqual(['/b/c', '/a', '/r/1/x']);
    expect(duplicateKeys(text)).toEqual(['/b/c', '/a', '/r/1/x']);
  });

  it('finds none in anything JSON.stringify writes (its quick path agrees with the full walk)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(duplicateKeys(text, JSON.parse(text))).toEqual([]);
        expect(duplicateKeys(text)).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a property written twice anywhere, quick path or not', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), fc.jsonValue(), (object, other) => {
        const key = Object.keys(object)[0]!;
        const text = `{"outer":${JSON.stringify(object).replace(/}$/, () => `,${JSON.stringify(key)}:${JSON.stringify(other)}}`)}}`;
        expect(duplicateKeys(text, JSON.parse(text))).toContain(`/outer/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('isTransientAwsError', () => {
  it.each([
    ['throttling', { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } }, true],
    ['DynamoDB throughput', { name: 'ProvisionedThroughputExceededException', $fault: 'client', $metadata: {} }, true],
    ['a 5xx', { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } }, true],
    ['a network error', { name: 'Error', code: 'ECONNREFUSED', $metadata: {} }, true],
    ['a timeout', { name: 'TimeoutError' }, true],
    ['an item over 400 KB', { name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 } }, false],
    ['a missing queue', { name: 'QueueDoesNotExist', $fault: 'client', $metadata: { httpStatusCode: 400 } }, false],
    ['access denied', { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } }, false],
    ['a bug', new TypeError('x is undefined'), false],
  ])('%s → %s', (_name, error, transient) => expect(isTransientAwsError(Object.assign(new Error('m'), error))).toBe(transient));
});
