/**
 * The field encryptor an adapter uses where its contract encrypts identity numbers
 * (docs/endpoints.md, "Field encryption (SM4)"): SM4-CBC under the context's field key, with a
 * fresh IV per value drawn from the context's `randomBytes` (so golden files are reproducible).
 */
import { sm4EncryptField } from '../../shared/signing/sm4.js';
import { AdapterConfigurationError, type AdapterContext } from './types.js';

const IV_BYTES = 16;

export type FieldEncryptor = (plain: string) => string;

/**
 * An encryptor bound to `context`. Throws at once when the context has no field key: a
 * destination that encrypts cannot send anything without one (a configuration error, not a
 * property of the records).
 */
export function fieldEncryptor(context: AdapterContext, destination: string): FieldEncryptor {
  const key = context.fieldKey;
  if (key === undefined || key === '') {
    throw new AdapterConfigurationError(`${destination}: the credentials have no fieldKey (the contract SM4-encrypts identity numbers)`);
  }
  return (plain) => sm4EncryptField(plain, key, context.randomBytes(IV_BYTES));
}
