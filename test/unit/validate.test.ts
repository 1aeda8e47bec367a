import fc from 'fast-check';
import { normaliseRecord, normaliseString } from '../../functions/shared/records/normalise.js';
import { MAX_RECORD_BYTES, validateRecord, validateRecordText } from '../../functions/shared/records/validate.js';
import { COMPANY_USCC, breach, commitment, nonPenalty, repair, residentId, uscc } from '../support/records.js';

const pathsAndRules = (result: ReturnType<typeof validateRecord>) => result.errors.map((e) => `${e.path} ${e.rule}`);

describe('validateRecord', () => {
  it.each([
    ['commitment', commitment()],
    ['breach', breach()],
    ['repair', repair()],
    ['nonPenalty', nonPenalty()],
  ])('accepts a valid %s', (_type, record) => {
    const result = validateRecord(record);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('reports every error with JSON pointer, rule, English message and Chinese title', () => {
    const record = commitment({}, { validTo: '2026-03-01', commitmentType: '承诺型' });
    delete (record['data'] as Record<string, unknown>)['reason'];
    const result = validateRecord(record);
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual(
      expect.arrayContaining([
        { path: '/data/reason', rule: 'required', message: 'reason is required', title: '承诺事由' },
        expect.objectContaining({ path: '/data/commitmentType', rule: 'enum', title: '承诺类型', message: expect.stringContaining('审批替代型') }),
        { path: '/data/validTo', rule: 'dateOrder', message: 'must be on or after validFrom (2026-03-02), found 2026-03-01', title: '有效期至' },
      ]),
    );
  });

  it('says why a conditionally required field is required', () => {
    const result = validateRecord(breach({}, { fineAmount: undefined }));
    expect(result.errors).toEqual([
      { path: '/data/fineAmount', rule: 'required', message: 'fineAmount is required when penaltyCategories includes 罚款', title: '罚款金额（万元）' },
    ]);
  });

  it('validates only the envelope when the record type is unknown', () => {
    const result = validateRecord(commitment({ recordType: 'licence' }));
    expect(pathsAndRules(result)).toEqual(['/recordType enum']);
  });

  it('rejects a value that is not an object', () => {
    expect(validateRecord([1, 2]).errors).toEqual([{ path: '', rule: 'type', message: 'a record must be a JSON object, found an array' }]);
  });

  it('rejects unknown properties at the top and inside data', () => {
    const result = validateRecord(commitment({ extra: 1 }, { colour: 'red' }));
    expect(pathsAndRules(result).sort()).toEqual(['/data/colour additionalProperties', '/extra unevaluatedProperties']);
  });

  it.each(['2026-03-02T09:30:00', '2026-03-02T09:30:00+0800', '2026-03-02T09:30:00+08'])(
    'requires an RFC 3339 offset ±hh:mm on occurredAt, not %s',
    (occurredAt) => {
      expect(pathsAndRules(validateRecord(commitment({ occurredAt })))).toEqual(['/occurredAt format:date-time']);
    },
  );

  it('checks the date inside every commitment code, including links to other commitments', () => {
    expect(pathsAndRules(validateRecord(breach({}, { brokenCommitmentCode: '23010920260231000158' })))).toEqual([
      '/data/brokenCommitmentCode commitmentCodeDate',
    ]);
  });

  it('counts lengths in code points, as JSON Schema does (a CJK Extension B character is one)', () => {
    const name = (n: number) => ({ party: { name: '\u{20000}'.repeat(n), category: '法人及非法人组织', uscc: COMPANY_USCC } });
    expect(validateRecord(commitment({}, name(200))).errors).toEqual([]);
    expect(pathsAndRules(validateRecord(commitment({}, name(201))))).toEqual(['/data/party/name maxLength']);
    expect(pathsAndRules(validateRecord(commitment({}, name(1))))).toEqual(['/data/party/name minLength']);
  });

  it('does not change its input', () => {
    const record = commitment({}, { acceptingUnitUscc: ` ${uscc('11230100MB012345').toLowerCase()}` });
    const copy = structuredClone(record);
    validateRecord(record);
    expect(record).toEqual(copy);
  });

  it('bounds the number of errors it reports', () => {
    const data = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`unknown${i}`, i]));
    const result = validateRecord(commitment({}, data), { maxErrors: 10 });
    expect(result.errors).toHaveLength(11);
    expect(result.errors[10]).toEqual({ path: '', rule: 'maxErrors', message: '70 more errors not shown (at most 10 are reported)' });
  });
});

describe('party identity', () => {
  const naturalPerson = (idNumber: string) => ({ name: '李明', category: '自然人', idType: '身份证', idNumber });

  it('accepts a natural person with a valid identity number', () => {
    expect(validateRecord(commitment({}, { party: naturalPerson(residentId('230102', '19850312', '451')) })).errors).toEqual([]);
  });

  it('refuses a USCC for a natural person', () => {
    const party = { ...naturalPerson(residentId('230102', '19850312', '451')), uscc: COMPANY_USCC };
    expect(validateRecord(commitment({}, { party })).errors).toEqual([
      {
        path: '/data/party/uscc',
        rule: 'notAllowed',
        message: 'uscc is not allowed for 自然人 (a natural person is identified by idType and idNumber)',
        title: '统一社会信用代码',
      },
    ]);
  });

  it('matches the USCC to the party category (92… is an individual business)', () => {
    const individual = uscc('92230109MA1BCDE8');
    expect(
      pathsAndRules(validateRecord(commitment({}, { party: { name: '哈尔滨市松北区老张烧烤店', category: '法人及非法人组织', uscc: individual } }))),
    ).toEqual(['/data/party/uscc partyCodeMatchesCategory']);
    expect(
      pathsAndRules(validateRecord(commitment({}, { party: { name: '哈尔滨新区松北餐饮管理有限公司', category: '个体工商户', uscc: COMPANY_USCC } }))),
    ).toEqual(['/data/party/uscc partyCodeMatchesCategory']);
    expect(validateRecord(commitment({}, { party: { name: '哈尔滨市松北区老张烧烤店', category: '个体工商户', uscc: individual } })).errors).toEqual([]);
  });

  it('requires an identity document for a natural person', () => {
    const result = validateRecord(commitment({}, { party: { name: '李明', category: '自然人' } }));
    expect(pathsAndRules(result).sort()).toEqual(['/data/party/idNumber required', '/data/party/idType required']);
  });

  it.each([
    ['a wrong check digit', (id: string) => ({ party: naturalPerson(id.slice(0, 17) + (id[17] === '1' ? '2' : '1')) })],
    ['a space inside', (id: string) => ({ party: naturalPerson(`${id.slice(0, 6)} ${id.slice(6)}`) })],
    ['lower-case x and padding', (id: string) => ({ party: naturalPerson(` ${id.toLowerCase()} `) })],
    ['the number in the USCC field', (id: string) => ({ party: { name: '李明', category: '个体工商户', uscc: ` ${id.toLowerCase()}` } })],
    ['the number in an unknown field', (id: string) => ({ party: { ...naturalPerson(id), idCardNo: ` ${id}` } })],
    [
      'the number as a legal representative with an unknown ID type',
      (id: string) => ({
        party: { name: '哈尔滨新区松北餐饮管理有限公司', category: '法人及非法人组织', uscc: COMPANY_USCC, legalRepIdType: '身份证号', legalRepIdNumber: id },
      }),
    ],
  ])('keeps an identity number out of errors, warnings and the change report: %s', (_case, build) => {
    const id = residentId('230102', '19850312', '457');
    const result = validateRecord(commitment({}, build(id)));
    const output = JSON.stringify([result.errors, result.warnings, result.normalised]);
    // masking keeps the division code and the last 4 (docs/contract.md, "Personal data in messages"); no run of 5 digits that reaches
    // into the birth date and serial may appear anywhere
    for (let i = 2; i + 5 <= 14; i++) expect(output).not.toContain(id.slice(i, i + 5));
  });

  it('never puts an identity number into an error message or the change report', () => {
    const good = residentId('230102', '19850312', '451');
    const bad = good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
    const result = validateRecord(commitment({}, { party: naturalPerson(` ${bad.toLowerCase()}`) }));
    expect(pathsAndRules(result)).toEqual(['/data/party/idNumber format:resident-id']);
    const text = JSON.stringify([result.errors, result.normalised]);
    expect(text).not.toContain(bad.slice(6, 14));
    expect(result.normalised).toEqual([{ path: '/data/party/idNumber', before: expect.stringContaining('*'), after: expect.stringContaining('*') }]);
  });

  it('accepts the placeholder USCC only for an individual business with a registration number', () => {
    const party = { name: '哈尔滨市松北区老张烧烤店', category: '个体工商户', uscc: '00000000000000000X', registrationNumber: '230109600123456' };
    expect(validateRecord(commitment({}, { party })).errors).toEqual([]);
    const { registrationNumber: _dropped, ...withoutNumber } = party;
    expect(pathsAndRules(validateRecord(commitment({}, { party: withoutNumber })))).toEqual(['/data/party/registrationNumber required']);
    const organisation = validateRecord(commitment({}, { party: { ...party, category: '法人及非法人组织' } }));
    expect(organisation.errors).toEqual([
      expect.objectContaining({ path: '/data/party/uscc', rule: 'format:uscc', message: expect.stringContaining('placeholder') }),
    ]);
  });

  it('turns a registered legacy USCC into a warning, and only that code', () => {
    const legacy = `${COMPANY_FIRST17()}${'0'}`;
    const record = commitment({}, { acceptingUnitUscc: legacy });
    expect(validateRecord(record).valid).toBe(false);
    const result = validateRecord(record, { legacyUscc: new Set([legacy]) });
    expect(result.valid).toBe(true);
    expect(result.warnings).toEqual([expect.objectContaining({ path: '/data/acceptingUnitUscc', rule: 'usccLegacy' })]);
  });
});

/** First 17 characters of a USCC whose check character is not '0' (so appending '0' breaks it). */
function COMPANY_FIRST17(): string {
  const code = uscc('11230100MB012345');
  expect(code[17]).not.toBe('0');
  return code.slice(0, 17);
}

describe('cross-field rules', () => {
  it.each([
    ['轻微', '2026-06-10', '2026-09-10', '2026-09-11'],
    ['一般', '2026-09-10', '2027-06-10', '2026-09-09'],
    ['严重', '2027-06-10', '2029-06-10', '2029-06-11'],
  ])('keeps a %s publication end the department sets between the tier bounds', (severity, earliest, latest, outside) => {
    const request = severity === '轻微' ? { publicationRequested: true } : {};
    const ok = (end: string) => validateRecord(breach({}, { severity, ...request, publicationEndDate: end }));
    expect(ok(earliest).errors).toEqual([]);
    expect(ok(latest).errors).toEqual([]);
    expect(ok(outside).errors).toEqual([
      expect.objectContaining({ path: '/data/publicationEndDate', rule: 'publicationPeriod', message: expect.stringContaining(`between ${earliest}`) }),
    ]);
  });

  it("publishes a 轻微 record only at the department's request; never lets a department skip publishing a 一般 one", () => {
    expect(validateRecord(breach({}, { severity: '轻微' })).errors).toEqual([]);
    expect(pathsAndRules(validateRecord(breach({}, { severity: '轻微', publicationEndDate: '2026-08-10' })))).toEqual([
      '/data/publicationEndDate publicationPeriod',
    ]);
    expect(validateRecord(breach({}, { severity: '轻微', publicationRequested: true, publicationEndDate: '2026-08-10' })).errors).toEqual([]);
    expect(pathsAndRules(validateRecord(breach({}, { severity: '一般', publicationRequested: false })))).toEqual([
      '/data/publicationRequested publicationPeriod',
    ]);
  });

  it.each([['哈新市监不罚〔2026〕3号'], ['哈新市监不罚[2026]3号'], ['哈新市监不罚（2026）3号'], ['哈新市监不罚(2026)3号'], ['哈新市监不罚【2026】3号']])(
    'recognises a non-penalty document number whatever its brackets: %s',
    (decisionNumber) => {
      expect(pathsAndRules(validateRecord(breach({}, { decisionNumber })))).toEqual(['/data/decisionNumber notANonPenalty']);
    },
  );

  it.each([['依法不予行政处罚'], ['决定不予以处罚'], ['不予以行政处罚'], ['免除处罚'], ['免予行政处罚'], ['首违免罚']])(
    'recognises a decision not to punish in the penalty content: %s',
    (penaltyContent) => {
      expect(pathsAndRules(validateRecord(breach({}, { penaltyContent })))).toEqual(['/data/penaltyContent notANonPenalty']);
    },
  );

  it('lets a record shared by mistake be withdrawn: the sharing rules never refuse a withdrawal', () => {
    const mistaken = { decisionNumber: '哈新市监不罚〔2026〕3号', severity: '轻微', publicationEndDate: '2026-08-10' };
    expect(pathsAndRules(validateRecord(breach({}, mistaken))).sort()).toEqual([
      '/data/decisionNumber notANonPenalty',
      '/data/publicationEndDate publicationPeriod',
    ]);
    expect(validateRecord(breach({ operation: 'withdraw' }, mistaken)).errors).toEqual([]);
    expect(validateRecord(repair({ operation: 'withdraw' }, { method: '移出名单', decisionDate: '2026-09-09', applicationDate: '2026-09-01' })).errors).toEqual(
      [],
    );
    // the record's own form still counts
    expect(pathsAndRules(validateRecord(breach({ operation: 'withdraw' }, { decisionDate: '2026-13-01' })))).toContain('/data/decisionDate format:date');
  });

  it('refuses a decision not to punish sent as a breach, and takes it as a nonPenalty record', () => {
    const asBreach = validateRecord(
      breach(
        {},
        { decisionNumber: '哈新市监不罚〔2026〕3号', penaltyCategories: ['其他'], fineAmount: undefined, penaltyContent: '首违不罚：依法不予行政处罚。' },
      ),
    );
    expect(pathsAndRules(asBreach).sort()).toEqual(['/data/decisionNumber notANonPenalty', '/data/penaltyContent notANonPenalty']);
    expect(asBreach.errors[0]!.message).toContain('send it as a nonPenalty record');
    expect(pathsAndRules(validateRecord(breach({}, { firstOffenceExemption: true })))).toEqual(['/data/firstOffenceExemption additionalProperties']);
    expect(validateRecord(nonPenalty()).errors).toEqual([]);
    // never a penalty, never published, no points
    for (const field of ['penaltyCategories', 'fineAmount', 'blackPoints', 'severity', 'publicationRequested']) {
      expect(pathsAndRules(validateRecord(nonPenalty({}, { [field]: field === 'penaltyCategories' ? ['其他'] : 1 })))).toEqual([
        `/data/${field} additionalProperties`,
      ]);
    }
  });

  it('repairs a penalty by ending its publication, never by removal from a list', () => {
    expect(pathsAndRules(validateRecord(repair({}, { method: '移出名单' })))).toEqual(['/data/method repairMethod']);
  });

  it('grants a repair only after the tier minimum, with the bounds the tier implies', () => {
    expect(pathsAndRules(validateRecord(repair({}, { decisionDate: '2026-09-09', applicationDate: '2026-09-01' })))).toEqual([
      '/data/decisionDate repairAfterMinimum',
    ]);
    // the minimum period's last day is 2026-09-10 (Civil Code arts. 201–202): "after it ends" is the day after
    expect(pathsAndRules(validateRecord(repair({}, { decisionDate: '2026-09-10', applicationDate: '2026-09-01' })))).toEqual([
      '/data/decisionDate repairAfterMinimum',
    ]);
    expect(validateRecord(repair({}, { decisionDate: '2026-09-11', applicationDate: '2026-09-01' })).errors).toEqual([]);
    // 轻微 has no minimum period: from the decision date
    expect(
      validateRecord(
        repair(
          {},
          {
            severity: '轻微',
            minDisclosureEndDate: '2026-06-10',
            maxDisclosureEndDate: '2026-09-10',
            decisionDate: '2026-06-10',
            applicationDate: '2026-06-10',
          },
        ),
      ).errors,
    ).toEqual([]);
    expect(pathsAndRules(validateRecord(repair({}, { maxDisclosureEndDate: '2027-06-11' })))).toEqual(['/data/maxDisclosureEndDate repairDisclosureBounds']);
    // a refusal may come at any time
    expect(
      validateRecord(
        repair(
          {},
          {
            outcome: '不同意',
            outcomeReason: '未满最短公示期',
            decisionDate: '2026-09-09',
            applicationDate: '2026-09-01',
            method: undefined,
            repairCommitmentCode: undefined,
          },
        ),
      ).errors,
    ).toEqual([]);
  });
});

describe('amounts in 10,000 yuan', () => {
  /** A breach's JSON text with the fine written exactly as `amount` (decimal text, never computed in binary). */
  const withFine = (amount: string) => JSON.stringify(breach()).replace('"fineAmount":0.2', `"fineAmount":${amount}`);
  /** `cents` yuan-cents as 10,000 yuan, in decimal text: 8,390,000 cents (83,900 yuan) → "8.39". */
  const tenThousandYuan = (cents: bigint): string => {
    const whole = cents / 1_000_000n;
    const fraction = (cents % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
    return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
  };

  it.each(['8.39', '66.67', '100.01', '0.05', '0.000001', '0.123456', '9999999.99'])(
    'accepts a fine of %s (the decimal text decides, not binary floating point)',
    (amount) => {
      expect(validateRecordText(withFine(amount)).errors).toEqual([]);
    },
  );

  it('accepts every two-decimal yuan amount up to 10^10 yuan', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1_000_000_000_000n }), (cents) => {
        const result = validateRecordText(withFine(tenThousandYuan(cents)));
        return result.valid;
      }),
      { numRuns: 20_000 },
    );
  });

  it.each(['0.0000001', '1.2345678', '0.30000000000000004'])('refuses %s, naming the field and the decimals found', (amount) => {
    const result = validateRecordText(withFine(amount));
    expect(result.errors).toEqual([
      expect.objectContaining({
        path: '/data/fineAmount',
        rule: 'maxDecimals',
        title: '罚款金额（万元）',
        message: expect.stringMatching(/at most 6 decimals .*found \d+ in /),
      }),
    ]);
  });
});

describe('validateRecordText', () => {
  it('gives line and column of malformed JSON', () => {
    const result = validateRecordText('{\n  "recordType": "commitment",\n  "revision": ,\n}');
    expect(result.errors).toEqual([
      expect.objectContaining({ rule: 'json', message: expect.stringMatching(/^malformed JSON at line 3, column 15: expected a value/) }),
    ]);
  });

  it('rejects a record over the size limit without parsing it', () => {
    const text = JSON.stringify(commitment({}, { remarks: 'x'.repeat(MAX_RECORD_BYTES) }));
    const result = validateRecordText(text);
    expect(result.errors).toEqual([
      expect.objectContaining({ rule: 'maxRecordBytes', message: expect.stringContaining(`limit is ${MAX_RECORD_BYTES} bytes`) }),
    ]);
  });

  it('counts the limit in UTF-8 bytes, not characters', () => {
    const base = JSON.stringify(commitment({}, { remarks: '' })).length;
    const chinese = '备'.repeat(Math.ceil((MAX_RECORD_BYTES - base) / 3) + 1);
    expect(validateRecordText(JSON.stringify(commitment({}, { remarks: chinese }))).errors[0]?.rule).toBe('maxRecordBytes');
  });
});

describe('normalisation', () => {
  it('converts full-width ASCII in codes and dates, upper-cases codes and trims, reporting each change', () => {
    const code = uscc('91230109MA1BCDE8');
    const fullWidth = [...code.toLowerCase()].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    const result = validateRecord(
      commitment({}, { acceptingUnitUscc: `\u3000${fullWidth} `, commitmentDate: '２０２６-０３-０２', reason: ' 申请食品经营许可证（告知承诺制）' }),
    );
    expect(result.errors).toEqual([]);
    expect(result.normalised).toEqual([
      { path: '/data/reason', before: ' 申请食品经营许可证（告知承诺制）', after: '申请食品经营许可证（告知承诺制）' },
      { path: '/data/commitmentDate', before: '２０２６-０３-０２', after: '2026-03-02' },
      { path: '/data/acceptingUnitUscc', before: `\u3000${fullWidth} `, after: code },
    ]);
  });

  it('trims free text exactly as String.prototype.trim does', () => {
    const ws = fc.constantFrom(' ', '\t', '\n', '\u00a0', '\u0085', '\u2003', '\u3000', '\ufeff', '\u0001', 'a', '哈');
    fc.assert(
      fc.property(fc.string({ unit: ws }), (s) => expect(normaliseString(s, undefined)).toBe(s.trim())),
      { numRuns: 3000 },
    );
  });

  it('keeps full-width punctuation in free text', () => {
    expect(normaliseString('警告，罚款（贰仟元）', undefined)).toBe('警告，罚款（贰仟元）');
  });

  it('is idempotent', () => {
    const noisy = fc.string({ unit: fc.constantFrom('a', 'B', '1', '０', 'ｚ', ' ', '\u3000', '（', '哈', '-', '/') });
    fc.assert(
      fc.property(noisy, noisy, noisy, (code, date, text) => {
        const once = normaliseRecord(commitment({}, { acceptingUnitUscc: code, commitmentDate: date, reason: text })).record;
        const twice = normaliseRecord(once);
        expect(twice.changes).toEqual([]);
        expect(twice.record).toBe(once);
      }),
    );
  });
});
