/**
 * Field encryption (docs/endpoints.md, "Field encryption (SM4)"): SM4-CBC with PKCS#7 padding under
 * the 16-byte field key the platform issues (32 hex characters), a fresh random 16-byte IV per
 * value, and `value = base64(IV ‖ ciphertext)`. Errors never include the key or the plaintext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ExchangeError } from '../errors.js';

const BLOCK_BYTES = 16;
const KEY_HEX_PATTERN = /^[0-9a-fA-F]{32}$/;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class Sm4FieldError extends ExchangeError {
  override name = 'Sm4FieldError';
}

function fieldKey(keyHex: string): Buffer {
  if (typeof keyHex !== 'string' || !KEY_HEX_PATTERN.test(keyHex)) {
    const got = typeof keyHex === 'string' ? `${keyHex.length} characters${/^[0-9a-fA-F]*$/.test(keyHex) ? '' : ', not all hexadecimal'}` : typeof keyHex;
    throw new Sm4FieldError(`SM4 field key must be 32 hexadecimal characters (16 bytes); got ${got}`);
  }
  return Buffer.from(keyHex, 'hex');
}

/** Encrypts one field value: base64(IV ‖ SM4-CBC-PKCS#7(UTF-8 plain)). `iv` defaults to 16 random bytes. */
export function sm4EncryptField(plain: string, keyHex: string, iv: Buffer = randomBytes(BLOCK_BYTES)): string {
  const key = fieldKey(keyHex);
  if (iv.length !== BLOCK_BYTES) throw new Sm4FieldError(`SM4 IV must be ${BLOCK_BYTES} bytes; got ${iv.length}`);
  const cipher = createCipheriv('sm4-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

/** Decrypts a value made by {@link sm4EncryptField}. */
export function sm4DecryptField(value: string, keyHex: string): string {
  const key = fieldKey(keyHex);
  if (!BASE64_PATTERN.test(value)) throw new Sm4FieldError('SM4 field value is not base64');
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 2 * BLOCK_BYTES || bytes.length % BLOCK_BYTES !== 0) {
    throw new Sm4FieldError(`SM4 field value must be a ${BLOCK_BYTES}-byte IV and whole ${BLOCK_BYTES}-byte blocks; got ${bytes.length} bytes`);
  }
  const decipher = createDecipheriv('sm4-cbc', key, bytes.subarray(0, BLOCK_BYTES));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(bytes.subarray(BLOCK_BYTES)), decipher.final()]);
  } catch {
    throw new Sm4FieldError('SM4 field value did not decrypt (wrong key or corrupted value: bad padding)');
  }
  const text = plain.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(plain)) throw new Sm4FieldError('SM4 field value did not decrypt to UTF-8 text (wrong key or corrupted value)');
  return text;
}
