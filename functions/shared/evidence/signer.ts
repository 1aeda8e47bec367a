/**
 * Who signs the windows: on AWS a KMS asymmetric key (SM2 in the China Regions, where the stages
 * deploy; ECDSA P-256 where KMS offers no SM2), locally a key file under the data directory. Both
 * sign the statement's bytes as a RAW message and return a DER signature; verifySignature checks
 * either kind offline with the public key alone.
 */
import { createPublicKey, verify as verifyEcdsa } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { sm3Hex, SIGNING_ALGORITHMS, type SigningAlgorithm } from './format.js';
import { generateSm2KeyPair, publicKeyOf, sm2Sign, sm2Verify } from './sm2.js';

export interface EvidenceSigner {
  /** What statements name the key by. */
  keyId: string;
  algorithm: SigningAlgorithm;
  /** The public key (DER SubjectPublicKeyInfo): what verifiers trust. */
  publicKey(): Promise<Buffer>;
  sign(message: Buffer): Promise<Buffer>;
}

/** Whether `signature` (DER) over `message` verifies with `spki` under `algorithm`. */
export function verifySignature(algorithm: SigningAlgorithm, message: Uint8Array, signature: Uint8Array, spki: Uint8Array): boolean {
  if (algorithm === 'SM2DSA') return sm2Verify(message, signature, spki);
  try {
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return false;
    return verifyEcdsa('sha256', message, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

/** A short, stable name of a public key: the first 16 bytes of SM3 over its DER, in hex. */
export const keyFingerprint = (spki: Uint8Array): string => sm3Hex(spki).slice(0, 32);

export const spkiToPem = (spki: Uint8Array): string =>
  `-----BEGIN PUBLIC KEY-----\n${Buffer.from(spki)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n')}-----END PUBLIC KEY-----\n`;

interface KeyFile {
  format: 'credex-evidence-key/1';
  algorithm: 'SM2DSA';
  privateKey: string;
  publicKey: string;
}

/**
 * The local runtime's signer: an SM2 key in `file` (created on first use, readable by its owner
 * only). It stands in for the KMS key; whoever holds the data directory holds the key.
 */
export function localSigner(file: string): EvidenceSigner {
  let key: KeyFile;
  if (existsSync(file)) {
    key = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
    if (key.format !== 'credex-evidence-key/1' || publicKeyOf(key.privateKey).toString('base64') !== key.publicKey) {
      throw new Error(`${file} is not an evidence signing key (or its public key does not match its private key)`);
    }
  } else {
    const pair = generateSm2KeyPair();
    key = { format: 'credex-evidence-key/1', algorithm: 'SM2DSA', privateKey: pair.privateKey, publicKey: pair.publicKeySpki.toString('base64') };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
    chmodSync(`${file}.tmp`, 0o600);
    renameSync(`${file}.tmp`, file);
  }
  const spki = Buffer.from(key.publicKey, 'base64');
  return {
    keyId: `local:${keyFingerprint(spki)}`,
    algorithm: 'SM2DSA',
    publicKey: async () => spki,
    sign: async (message) => sm2Sign(message, key.privateKey),
  };
}

/** The public key of the stage's KMS signing key (DER SubjectPublicKeyInfo): what verifiers trust. */
export async function kmsPublicKey(kms: KMSClient, keyArn: string): Promise<Buffer> {
  const r = await kms.send(new GetPublicKeyCommand({ KeyId: keyArn }));
  if (!r.PublicKey) throw new Error(`KMS returned no public key for ${keyArn}`);
  return Buffer.from(r.PublicKey);
}

/** The public side of a local key file, read only (the CLI never creates a key): what `credex evidence` trusts locally. */
export function localPublicKey(file: string): Pick<EvidenceSigner, 'keyId' | 'algorithm' | 'publicKey'> {
  if (!existsSync(file)) throw new Error(`no evidence signing key at ${file}`);
  const key = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  if (key.format !== 'credex-evidence-key/1') throw new Error(`${file} is not an evidence signing key`);
  const spki = Buffer.from(key.publicKey, 'base64');
  return { keyId: `local:${keyFingerprint(spki)}`, algorithm: 'SM2DSA', publicKey: async () => spki };
}

/** The stage's KMS signing key: Sign with a RAW message (KMS hashes it: SM3 with Z for SM2DSA, SHA-256 for ECDSA). */
export function kmsSigner(kms: KMSClient, keyArn: string, algorithm: SigningAlgorithm): EvidenceSigner {
  if (!SIGNING_ALGORITHMS.includes(algorithm)) throw new Error(`unknown signing algorithm ${algorithm}`);
  let publicKey: Promise<Buffer> | undefined;
  return {
    keyId: keyArn,
    algorithm,
    publicKey: () => (publicKey ??= kmsPublicKey(kms, keyArn)),
    sign: async (message) => {
      const result = await kms.send(new SignCommand({ KeyId: keyArn, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm }));
      if (!result.Signature) throw new Error(`KMS returned no signature from ${keyArn}`);
      return Buffer.from(result.Signature);
    },
  };
}
