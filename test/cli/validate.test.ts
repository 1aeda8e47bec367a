import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { decodeInput, parseRecords } from '../../cli/commands/validate.js';
import { run } from '../../cli/main.js';
import { MAX_RECORD_BYTES } from '../../functions/shared/records/validate.js';
import { encodeGbk } from '../support/gbk.js';
import { ACCEPTING_UNIT_USCC, COMPANY_NAME, breakUscc, commitment } from '../support/records.js';

const validCommitment = (recordId = 'CMT-2026-000001') => commitment({ recordId });

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout read as JSON lines. */
  lines: Array<Record<string, unknown>>;
}

async function credex(argv: string[], stdin: string | Buffer = ''): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return {
    code,
    stdout,
    stderr,
    get lines() {
      return stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    },
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credex-validate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tempFile(name: string, content: string | Buffer): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content);
  return file;
}

function invalidCommitment(recordId: string): Record<string, unknown> {
  const record = validCommitment(recordId);
  (record['data'] as Record<string, unknown>)['acceptingUnitUscc'] = breakUscc(ACCEPTING_UNIT_USCC);
  return record;
}

describe('credex validate', () => {
  test('a valid record file prints one line with valid: true and exits 0', async () => {
    const file = await tempFile('valid.json', JSON.stringify(validCommitment(), null, 2));

    const out = await credex(['validate', file]);

    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    expect(out.lines).toEqual([{ index: 0, recordId: 'CMT-2026-000001', valid: true, errors: [], normalised: [] }]);
  });

  test('an invalid record exits 1 and its errors say where, which rule and why', async () => {
    const file = await tempFile('invalid.json', JSON.stringify(invalidCommitment('CMT-BAD-1')));

    const out = await credex(['validate', file]);

    expect(out.code).toBe(1);
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatchObject({ index: 0, recordId: 'CMT-BAD-1', valid: false });
    expect(out.lines[0]!['errors']).toEqual([
      expect.objectContaining({ path: '/data/acceptingUnitUscc', rule: 'format:uscc', message: expect.stringContaining('check character') }),
    ]);
  });

  test('an empty object from stdin is invalid (exit 1), with every missing envelope field reported', async () => {
    const out = await credex(['validate'], '{}\n');

    expect(out.code).toBe(1);
    expect(out.lines[0]).toMatchObject({ index: 0, recordId: null, valid: false });
    const errors = out.lines[0]!['errors'] as Array<{ path: string; rule: string }>;
    expect(errors.map((e) => e.path)).toContain('/recordId');
    expect(errors.every((e) => e.rule === 'required')).toBe(true);
  });

  test('a JSON array gives one line per element, in order; one invalid element makes the exit code 1', async () => {
    const out = await credex(['validate', '-'], JSON.stringify([validCommitment('A-1'), invalidCommitment('A-2'), validCommitment('A-3')]));

    expect(out.code).toBe(1);
    expect(out.lines.map((l) => [l['index'], l['recordId'], l['valid']])).toEqual([
      [0, 'A-1', true],
      [1, 'A-2', false],
      [2, 'A-3', true],
    ]);
  });

  test('NDJSON: a malformed line is that record’s error with its line number; the other lines are still checked', async () => {
    const ndjson = [JSON.stringify(validCommitment('N-1')), '', '{"recordId": "N-2", oops}', JSON.stringify(validCommitment('N-3'))].join('\n');
    const file = await tempFile('records.ndjson', `${ndjson}\n`);

    const out = await credex(['validate', file]);

    expect(out.code).toBe(1);
    expect(out.lines.map((l) => [l['index'], l['valid']])).toEqual([
      [0, true],
      [1, false],
      [2, true],
    ]);
    const [error] = out.lines[1]!['errors'] as Array<{ path: string; rule: string; message: string }>;
    expect(error).toMatchObject({ path: '', rule: 'json' });
    expect(error!.message).toMatch(/line 3, column 21/);
  });

  test('NDJSON with CRLF line ends is read line by line', async () => {
    const out = await credex(['validate'], `${JSON.stringify(validCommitment('C-1'))}\r\n${JSON.stringify(validCommitment('C-2'))}\r\n`);

    expect(out.code).toBe(0);
    expect(out.lines.map((l) => l['recordId'])).toEqual(['C-1', 'C-2']);
  });

  test('a malformed pretty-printed document exits 2 and says the line and column, printing no records', async () => {
    const file = await tempFile('broken.json', '{\n  "recordId": "X",\n  "revision" 1\n}\n');

    const out = await credex(['validate', file]);

    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('broken.json');
    expect(out.stderr).toMatch(/malformed JSON at line 3, column 14/);
  });

  test('a malformed array exits 2 with line and column', async () => {
    const out = await credex(['validate'], `[\n${JSON.stringify(validCommitment())},\n]`);

    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/line 3, column 1/);
  });

  test('GB18030 input read with --encoding gb18030 keeps its Chinese names', async () => {
    const bytes = encodeGbk(JSON.stringify(validCommitment('GB-1')));
    const file = await tempFile('gb18030.json', bytes);

    const out = await credex(['validate', file, '--encoding', 'gb18030', '--pretty']);
    const asGbk = await credex(['validate', file, '--encoding', 'GBK']);

    expect(out.code).toBe(0);
    expect(out.stdout).toContain('#0 GB-1 VALID');
    expect(asGbk.code).toBe(0);
    expect(asGbk.lines[0]).toMatchObject({ recordId: 'GB-1', valid: true });
    const decoded = decodeInput(bytes, 'gb18030');
    expect(decoded.ok && (JSON.parse(decoded.text) as { data: { party: { name: string } } }).data.party.name).toBe(COMPANY_NAME);
  });

  test('the GBK table used to write GB18030 fixtures matches the standard’s bytes', () => {
    expect(encodeGbk('哈尔滨').toString('hex')).toBe('b9feb6fbb1f5');
  });

  test('GB18030 bytes without --encoding exit 2 with a clear "not valid UTF-8" message, never mojibake', async () => {
    const file = await tempFile('gb-no-flag.json', encodeGbk(JSON.stringify(validCommitment('GB-2'))));

    const out = await credex(['validate', file]);

    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/not valid UTF-8: byte 0x[0-9A-F]{2} at line 1 \(byte offset \d+\)/);
    expect(out.stderr).toContain('--encoding gb18030');
    expect(out.stderr).not.toContain('\uFFFD');
  });

  test('a UTF-8 byte-order mark is ignored', async () => {
    const out = await credex(['validate'], Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(validCommitment()))]));

    expect(out.code).toBe(0);
  });

  test('a missing file exits 2 and names the file', async () => {
    const missing = join(dir, 'no-such-file.json');

    const out = await credex(['validate', missing]);

    expect(out.code).toBe(2);
    expect(out.stderr).toBe(`credex validate: cannot read ${missing}: no such file\n`);
  });

  test('empty input exits 2', async () => {
    const out = await credex(['validate'], '  \n');

    expect(out.code).toBe(2);
    expect(out.stderr).toContain('no input');
  });

  test('a record over MAX_RECORD_BYTES is invalid with rule maxRecordBytes', async () => {
    const big = validCommitment('BIG-1');
    (big['data'] as Record<string, unknown>)['remarks'] = 'x'.repeat(MAX_RECORD_BYTES);

    const out = await credex(['validate'], JSON.stringify([big]));

    expect(out.code).toBe(1);
    expect(out.lines[0]!['errors']).toEqual([expect.objectContaining({ rule: 'maxRecordBytes' })]);
  });

  test('--legacy-uscc accepts a listed code with a usccLegacy warning', async () => {
    const legacy = breakUscc(ACCEPTING_UNIT_USCC);
    const list = await tempFile('legacy.txt', `# registered 2026-03\n${legacy.toLowerCase()}\n\n`);

    const out = await credex(['validate', '--legacy-uscc', list], JSON.stringify(invalidCommitment('L-1')));

    expect(out.code).toBe(0);
    expect(out.lines[0]).toMatchObject({
      valid: true,
      errors: [],
      warnings: [expect.objectContaining({ path: '/data/acceptingUnitUscc', rule: 'usccLegacy' })],
    });
  });

  test('--pretty prints each error as "path [rule] title: message" and a summary', async () => {
    const out = await credex(['validate', '--pretty'], JSON.stringify([validCommitment('P-1'), invalidCommitment('P-2')]));

    expect(out.code).toBe(1);
    expect(out.stdout).toContain('#0 P-1 VALID\n');
    expect(out.stdout).toContain(
      '#1 P-2 INVALID\n  /data/acceptingUnitUscc [format:uscc] 承诺受理单位统一社会信用代码: is not a valid Unified Social Credit Code',
    );
    expect(out.stdout).toMatch(/2 records: 1 valid, 1 invalid\n$/);
  });

  test('usage errors exit 2', async () => {
    expect((await credex(['validate', '--no-such-option'])).code).toBe(2);
    expect((await credex(['validate', 'a.json', 'b.json'])).code).toBe(2);
    expect((await credex(['validate', '--encoding', 'latin1', 'a.json'])).code).toBe(2);
    expect((await credex(['no-such-command'])).code).toBe(2);
  });

  test('--help lists examples and exits 0', async () => {
    const out = await credex(['validate', '--help']);

    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Examples:');
    expect(out.stdout).toContain('--encoding gb18030');
  });
});

describe('the sample files the README shows', () => {
  const samples = fileURLToPath(new URL('../../schemas/samples/', import.meta.url));

  test('commitments.ndjson is all valid', async () => {
    const out = await credex(['validate', `${samples}commitments.ndjson`]);
    expect(out.code).toBe(0);
    expect(out.lines.length).toBeGreaterThanOrEqual(5);
  });

  test('mixed.ndjson has exactly one invalid record', async () => {
    const out = await credex(['validate', `${samples}mixed.ndjson`]);
    expect(out.code).toBe(1);
    expect(out.lines.map((l) => l['valid'])).toEqual([true, false, true]);
  });

  test('commitment-gb18030.json is valid read as GB18030, and refused as UTF-8', async () => {
    expect((await credex(['validate', '--encoding', 'gb18030', `${samples}commitment-gb18030.json`])).code).toBe(0);
    expect((await credex(['validate', `${samples}commitment-gb18030.json`])).code).toBe(2);
  });
});

describe('parseRecords', () => {
  test('one JSON value is one record, whatever its layout', () => {
    const parsed = parseRecords('\n{\n  "a": 1\n}\n');
    expect(parsed).toMatchObject({ ok: true, format: 'json', records: [{ index: 0 }] });
  });

  test('NDJSON records keep their line numbers, blank lines skipped', () => {
    const parsed = parseRecords('{"a":1}\n\n{"b":2}\n');
    expect(parsed).toEqual({
      ok: true,
      format: 'ndjson',
      records: [
        { index: 0, text: '{"a":1}', line: 1 },
        { index: 1, text: '{"b":2}', line: 3 },
      ],
    });
  });

  test('a multi-line input whose first line is not complete JSON is one malformed document, not NDJSON', () => {
    expect(parseRecords('{\n"a": 1,,\n}')).toEqual({ ok: false, message: expect.stringMatching(/^malformed JSON at line 2, column 8/) });
  });
});

describe('decodeInput', () => {
  test('an input cut in the middle of a character says so', () => {
    const decoded = decodeInput(Buffer.from([0x7b, 0xe5, 0x93]));
    expect(decoded).toEqual({ ok: false, message: expect.stringContaining('ends in the middle of a character') });
  });

  test('a GB18030 byte-order mark is dropped', () => {
    expect(decodeInput(Buffer.from([0x84, 0x31, 0x95, 0x33, 0x7b, 0x7d]), 'gb18030')).toEqual({ ok: true, text: '{}' });
  });
});

describe('bin/credex.js', () => {
  test('runs the built CLI: `node bin/credex.js validate <file>`', async () => {
    if (!existsSync(join(root, 'dist/cli/main.js'))) {
      throw new Error('dist/cli/main.js is missing: run `npm run build` before this test');
    }
    const file = await tempFile('spawn.ndjson', `${JSON.stringify(validCommitment('S-1'))}\n${JSON.stringify(invalidCommitment('S-2'))}\n`);

    const result = spawnSync(process.execPath, [join(root, 'bin/credex.js'), 'validate', file], { encoding: 'utf8' });

    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l['recordId'], l['valid']])).toEqual([
      ['S-1', true],
      ['S-2', false],
    ]);
  });
});
