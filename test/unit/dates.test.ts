import fc from 'fast-check';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { addMonths, isDateTime, parseDate } from '../../functions/shared/records/dates.js';

const ajvDate = fullFormats.date as { validate: (s: string) => boolean };
const ajvDateTime = fullFormats['date-time'] as { validate: (s: string) => boolean };

describe('dates', () => {
  it('parseDate agrees with ajv-formats on every YYYY-MM-DD shape', () => {
    const shaped = fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
      .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    fc.assert(
      fc.property(fc.oneof(shaped, fc.string()), (s) => expect(parseDate(s) !== undefined).toBe(ajvDate.validate(s))),
      { numRuns: 5000 },
    );
  });

  it.each(['2024-02-29', '2000-02-29', '2026-12-31'])('accepts the real day %s', (d) => expect(parseDate(d)).toBe(d));
  it.each(['2026-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-1-01', '２０２６-01-01'])('rejects %s', (d) =>
    expect(parseDate(d)).toBeUndefined(),
  );

  it.each(['2026-03-02T09:30:00+08:00', '2026-03-02T09:30:00.123Z', '2026-03-02t09:30:00z', '2016-12-31T23:59:60Z', '2026-03-02T00:00:00-05:30'])(
    'accepts the RFC 3339 date-time %s',
    (s) => {
      expect(isDateTime(s)).toBe(true);
      expect(ajvDateTime.validate(s)).toBe(true);
    },
  );

  it.each([
    '2026-03-02T09:30:00',
    '2026-03-02T09:30:00+0800',
    '2026-03-02T09:30:00+08',
    '2026-03-02 09:30:00+08:00',
    '2026-02-30T09:30:00Z',
    '2026-03-02T24:00:00Z',
    '2026-03-02T09:30:00.Z',
    '2026-03-02T09:30:00+24:00',
  ])('rejects %s', (s) => expect(isDateTime(s)).toBe(false));

  it('counts months on the calendar, clamping to the end of a shorter month', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-02-29', 12)).toBe('2029-02-28');
    expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonths('2026-06-10', 36)).toBe('2029-06-10');
  });
});
