import { createCipheriv, randomBytes } from 'node:crypto';
import { Sm4FieldError, sm4DecryptField, sm4EncryptField } from '../../../functions/shared/signing/sm4.js';

const KEY = '0123456789abcdeffedcba9876543210';
const IV = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');

/** SM4-CBC + PKCS#7 built by hand from the bare SM4 block cipher (ECB, one block at a time). */
function referenceCbc(keyHex: string, iv: Buffer, plain: Buffer): Buffer {
  const pad = 16 - (plain.length % 16);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const block = createCipheriv('sm4-ecb', Buffer.from(keyHex, 'hex'), null).setAutoPadding(false);
  const out: Buffer[] = [];
  let previous = iv;
  for (let i = 0; i < padded.length; i += 16) {
    const x = Buffer.from(padded.subarray(i, i + 16).map((b, j) => b ^ previous[j]!));
    previous = block.update(x);
    out.push(previous);
  }
  return Buffer.concat(out);
}

describe('sm4EncryptField / sm4DecryptField', () => {
  it('with a fixed IV: base64(IV ‖ SM4-CBC-PKCS#7 ciphertext), matching a hand-built CBC', () => {
    const plain = '230102199001011234';
    const value = sm4EncryptField(plain, KEY, IV);
    const bytes = Buffer.from(value, 'base64');
    expect(bytes.subarray(0, 16).equals(IV)).toBe(true);
    expect(bytes.length).toBe(16 + 32); // 18 bytes pad to two blocks
    expect(bytes.subarray(16).toString('hex')).toBe(referenceCbc(KEY, IV, Buffer.from(plain, 'utf8')).toString('hex'));
    expect(sm4EncryptField(plain, KEY, IV)).toBe(value); // deterministic given the IV
    expect(sm4DecryptField(value, KEY)).toBe(plain);
  });

  it('pads a whole-block plaintext with a whole extra block, and the empty string to one block', () => {
    expect(Buffer.from(sm4EncryptField('0123456789abcdef', KEY, IV), 'base64').length).toBe(16 + 32);
    const empty = sm4EncryptField('', KEY, IV);
    expect(Buffer.from(empty, 'base64').length).toBe(32);
    expect(sm4DecryptField(empty, KEY)).toBe('');
  });

  it('round-trips with random IVs, each value different', () => {
    const samples = ['230102199001011234', '23010219900101123X', '张三', 'a'.repeat(100)];
    for (const plain of samples) {
      const a = sm4EncryptField(plain, KEY);
      const b = sm4EncryptField(plain, KEY);
      expect(a).not.toBe(b);
      expect(sm4DecryptField(a, KEY)).toBe(plain);
      expect(sm4DecryptField(b, KEY)).toBe(plain);
    }
    for (let i = 0; i < 50; i += 1) {
      const key = randomBytes(16).toString('hex');
      const plain = randomBytes(1 + (i % 40)).toString('base64');
      expect(sm4DecryptField(sm4EncryptField(plain, key, randomBytes(16)), key)).toBe(plain);
    }
  });

  it('accepts an upper-case hex key as the same key', () => {
    expect(sm4DecryptField(sm4EncryptField('x', KEY, IV), KEY.toUpperCase())).toBe('x');
  });

  it.each([
    ['too short', KEY.slice(0, 30), /32 hexadecimal characters \(16 bytes\); got 30 characters/],
    ['too long (a 32-byte key)', KEY + KEY, /got 64 characters/],
    ['not hex', 'z'.repeat(32), /not all hexadecimal/],
  ])('a key %s is refused clearly, without echoing it', (_name, key, message) => {
    expect(() => sm4EncryptField('x', key)).toThrow(message);
    expect(() => sm4DecryptField(sm4EncryptField('x', KEY), key)).toThrow(Sm4FieldError);
    try {
      sm4EncryptField('x', key);
    } catch (error) {
      expect((error as Error).message).not.toContain(key);
    }
  });

  it('refuses an IV that is not 16 bytes', () => {
    expect(() => sm4EncryptField('x', KEY, Buffer.alloc(12))).toThrow(/IV must be 16 bytes; got 12/);
  });

  it('refuses values that are not base64, too short, or not whole blocks', () => {
    expect(() => sm4DecryptField('not base64!', KEY)).toThrow(/not base64/);
    expect(() => sm4DecryptField(IV.toString('base64'), KEY)).toThrow(/got 16 bytes/);
    expect(() => sm4DecryptField(Buffer.alloc(40).toString('base64'), KEY)).toThrow(/whole 16-byte blocks; got 40 bytes/);
  });

  it('a wrong key or a corrupted value fails clearly (not garbage text)', () => {
    const value = sm4EncryptField('230102199001011234', KEY, IV);
    let failures = 0;
    for (let i = 0; i < 20; i += 1) {
      try {
        const text = sm4DecryptField(value, randomBytes(16).toString('hex'));
        expect(text).not.toBe('230102199001011234'); // a wrong key that happens to unpad: still not the value
      } catch (error) {
        expect(error).toBeInstanceOf(Sm4FieldError);
        expect((error as Error).message).toMatch(/did not decrypt/);
        failures += 1;
      }
    }
    expect(failures).toBeGreaterThan(10);
  });
});
