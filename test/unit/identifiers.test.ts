import fc from 'fast-check';
import {
  USCC_CATEGORIES,
  USCC_CHARSET,
  USCC_PLACEHOLDER,
  explainResidentId,
  explainUscc,
  isResidentId,
  isUscc,
  maskResidentId,
  orgCodeCheckCharacter,
  residentIdCheckCharacter,
  usccCheckCharacter,
} from '../../functions/shared/records/identifiers.js';

// Published codes of real organisations (business licences are public documents).
const REAL_USCC = ['91350100M000100Y43', '91330100799655058B', '9144030071526726XG', '914403001922038216', '91110000600037341L'];

/** fast-check arbitrary of valid USCCs built from the standard's rules. */
const usccArb = fc
  .record({
    authority: fc.constantFrom(...Object.keys(USCC_CATEGORIES)),
    categoryPick: fc.nat(),
    division: fc.stringMatching(/^[1-8]\d{5}$/),
    body: fc.array(fc.constantFrom(...USCC_CHARSET), { minLength: 8, maxLength: 8 }),
  })
  .map(({ authority, categoryPick, division, body }) => {
    const categories = USCC_CATEGORIES[authority]!;
    const orgBody = body.join('');
    const first17 = `${authority}${categories[categoryPick % categories.length]}${division}${orgBody}${orgCodeCheckCharacter(orgBody)}`;
    return first17 + usccCheckCharacter(first17);
  });

const birthDateArb = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true });
const residentIdArb = fc
  .record({ division: fc.stringMatching(/^[1-8]\d{5}$/), birth: birthDateArb, serial: fc.stringMatching(/^\d{3}$/) })
  .map(({ division, birth, serial }) => {
    const first17 = `${division}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${serial}`;
    return first17 + residentIdCheckCharacter(first17);
  });

describe('Unified Social Credit Code (GB 32100-2015)', () => {
  it.each(REAL_USCC)('accepts the published code %s', (code) => {
    expect(explainUscc(code)).toBeUndefined();
  });

  it('every generated valid code passes', () => {
    fc.assert(fc.property(usccArb, (code) => isUscc(code)));
  });

  it('every single-character change of a valid code that breaks a check fails', () => {
    fc.assert(
      fc.property(usccArb, fc.nat({ max: 17 }), fc.constantFrom(...USCC_CHARSET), (code, position, replacement) => {
        fc.pre(code[position] !== replacement);
        const changed = code.slice(0, position) + replacement + code.slice(position + 1);
        // A single substitution always changes the weighted sum mod 31 (31 is prime and no weight is 0 mod 31),
        // so the GB 32100 check character catches every one.
        expect(isUscc(changed)).toBe(false);
      }),
    );
  });

  it('the fast check and the explanation always agree', () => {
    const near = fc
      .tuple(usccArb, fc.nat({ max: 17 }), fc.constantFrom(...USCC_CHARSET, 'I', 'O', 'a', '中'))
      .map(([code, i, ch]) => code.slice(0, i) + ch + code.slice(i + 1));
    fc.assert(
      fc.property(fc.oneof(usccArb, near, fc.string({ minLength: 18, maxLength: 18 }), fc.constant(USCC_PLACEHOLDER)), (code) => {
        expect(isUscc(code)).toBe(explainUscc(code) === undefined);
      }),
      { numRuns: 2000 },
    );
  });

  it('explains a wrong check character', () => {
    expect(explainUscc('91350100M000100Y4A')).toBe('check character (18th) does not match the GB 32100 check');
  });

  it('rejects letters outside the character set (I, O, Z, S, V), naming the position', () => {
    expect(explainUscc('91350100M000100O43')).toMatch(/^character 16 is not in the GB 32100 character set/);
  });

  it('checks the organisation code embedded at positions 9–17 (GB 11714)', () => {
    // valid GB 32100 check character computed over a wrong organisation-code check digit
    const first17 = '91350100M000100Y5';
    const code = first17 + usccCheckCharacter(first17);
    expect(explainUscc(code)).toBe('characters 9–17 (the embedded organisation code) fail the GB 11714 check');
  });

  it('rejects an organisation category its registration authority does not have', () => {
    const first17 = '94350100M000100Y4';
    expect(explainUscc(first17 + usccCheckCharacter(first17))).toMatch(/^character 2 is not an organisation category/);
  });

  it('names the placeholder instead of calling it a bad checksum', () => {
    expect(explainUscc(USCC_PLACEHOLDER)).toMatch(/placeholder .* 个体工商户/);
  });

  it('reports the length of a short code', () => {
    expect(explainUscc('9135010')).toBe('must be 18 characters (found 7)');
  });
});

describe('resident identity card number (GB 11643)', () => {
  it('accepts the standard’s worked example 11010519491231002X', () => {
    expect(explainResidentId('11010519491231002X')).toBeUndefined();
  });

  it('every generated valid number passes', () => {
    fc.assert(fc.property(residentIdArb, (id) => isResidentId(id)));
  });

  it('every single-character change that breaks the check fails', () => {
    fc.assert(
      fc.property(residentIdArb, fc.nat({ max: 17 }), fc.constantFrom(...'0123456789X'), (id, position, replacement) => {
        fc.pre(id[position] !== replacement);
        const changed = id.slice(0, position) + replacement + id.slice(position + 1);
        expect(isResidentId(changed)).toBe(false);
      }),
    );
  });

  it('the fast check and the explanation always agree', () => {
    const near = fc.tuple(residentIdArb, fc.nat({ max: 17 }), fc.constantFrom(...'0123456789Xx中')).map(([id, i, ch]) => id.slice(0, i) + ch + id.slice(i + 1));
    fc.assert(
      fc.property(fc.oneof(residentIdArb, near, fc.stringMatching(/^\d{17}[\dX]$/)), (id) => {
        expect(isResidentId(id, '20261128')).toBe(explainResidentId(id, '20261128') === undefined);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects 15-digit first-generation numbers with a clear message', () => {
    expect(explainResidentId('110105491231002')).toMatch(/15-digit \(first-generation\) identity numbers are not accepted/);
  });

  it('rejects an impossible birth date without echoing the number', () => {
    const first17 = '23010219900230123';
    const message = explainResidentId(first17 + residentIdCheckCharacter(first17));
    expect(message).toBe('characters 7–14 are not a real birth date');
  });

  it('rejects a birth date in the future', () => {
    const first17 = '23010220300101123';
    expect(explainResidentId(first17 + residentIdCheckCharacter(first17), '20261128')).toBe('birth date is before 1900 or in the future');
  });

  it('masks all but the first 6 and last 4 characters', () => {
    expect(maskResidentId('11010519491231002X')).toBe('110105********002X');
  });

  it('never quotes a USCC field’s characters, which may hold an identity number sent by mistake', () => {
    fc.assert(
      fc.property(residentIdArb, (id) => {
        const message = explainUscc(id) ?? '';
        expect(message).not.toContain(id.slice(6, 14));
        expect(message).not.toContain(id.slice(0, 6));
      }),
    );
  });

  it('never puts the number or its parts into an explanation', () => {
    fc.assert(
      fc.property(residentIdArb, fc.nat({ max: 17 }), (id, position) => {
        const changed = id.slice(0, position) + (id[position] === '5' ? '6' : '5') + id.slice(position + 1);
        const message = explainResidentId(changed) ?? '';
        expect(message).not.toContain(changed.slice(6, 14));
        expect(message).not.toContain(changed.slice(0, 6));
      }),
    );
  });
});
