/**
 * SM2 digital signatures (GB/T 32918.2-2016, GM/T 0003.2-2012) over the recommended curve
 * (GB/T 32918.5), with the default distinguishing identifier `1234567812345678` (GM/T 0009-2012),
 * as AWS KMS's SM2DSA signs a RAW message. Node's crypto cannot do this: its OpenSSL 3.0 signs SM2
 * keys with an empty identifier, which no other implementation verifies by default. The curve
 * arithmetic is @noble/curves' (constant-time multiplication); this module adds only SM2's
 * equations, the Z value, and the key and signature encodings (SPKI, DER).
 */
import { createHash, randomBytes } from 'node:crypto';
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { invert, mod } from '@noble/curves/abstract/modular.js';

const CURVE = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  h: 1n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
};
const Point = weierstrass(CURVE);
type SmPoint = InstanceType<typeof Point>;

/** The distinguishing identifier KMS and GM/T 0009 use when none is agreed. */
export const SM2_DEFAULT_ID = '1234567812345678';
/** SubjectPublicKeyInfo header of an SM2 public key (id-ecPublicKey, curve 1.2.156.10197.1.301), before the 65-byte point. */
const SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');

const be32 = (x: bigint): Buffer => Buffer.from(x.toString(16).padStart(64, '0'), 'hex');
const toBigInt = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
const sm3 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sm3');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA): binds the signer's identity and key into what is signed. */
function zValue(publicKey: SmPoint, id = SM2_DEFAULT_ID): Buffer {
  const idBytes = Buffer.from(id, 'utf8');
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(idBytes.length * 8);
  const { x, y } = publicKey.toAffine();
  return sm3(entl, idBytes, be32(CURVE.a), be32(CURVE.b), be32(CURVE.Gx), be32(CURVE.Gy), be32(x), be32(y));
}

const digestOf = (message: Uint8Array, publicKey: SmPoint): bigint => toBigInt(sm3(zValue(publicKey), message));

export interface Sm2KeyPair {
  /** The private scalar, 64 hex digits. */
  privateKey: string;
  /** DER SubjectPublicKeyInfo. */
  publicKeySpki: Buffer;
}

/** A fresh key pair (d in [1, n−2], as the standard requires). */
export function generateSm2KeyPair(): Sm2KeyPair {
  const d = mod(toBigInt(randomBytes(40)), CURVE.n - 2n) + 1n;
  return { privateKey: d.toString(16).padStart(64, '0'), publicKeySpki: spkiOf(Point.BASE.multiply(d)) };
}

export function spkiOf(point: SmPoint): Buffer {
  return Buffer.concat([SPKI_PREFIX, Buffer.from(point.toBytes(false))]);
}

/** The public point of an SM2 SubjectPublicKeyInfo (DER); throws on anything else. */
export function pointOfSpki(spki: Uint8Array): SmPoint {
  const der = Buffer.from(spki);
  if (der.length !== SPKI_PREFIX.length + 65 || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) {
    throw new Error('not an SM2 public key (SubjectPublicKeyInfo on curve 1.2.156.10197.1.301)');
  }
  const point = Point.fromBytes(der.subarray(SPKI_PREFIX.length));
  point.assertValidity();
  return point;
}

export function publicKeyOf(privateKey: string): Buffer {
  return spkiOf(Point.BASE.multiply(BigInt(`0x${privateKey}`)));
}

/** SM2DSA signature of `message` (DER SEQUENCE of r and s, as KMS returns it). */
export function sm2Sign(message: Uint8Array, privateKey: string): Buffer {
  const d = BigInt(`0x${privateKey}`);
  if (!(d >= 1n && d <= CURVE.n - 2n)) throw new Error('the SM2 private key is out of range');
  const { n } = CURVE;
  const e = digestOf(message, Point.BASE.multiply(d));
  for (;;) {
    const k = mod(toBigInt(randomBytes(40)), n - 1n) + 1n;
    const x1 = Point.BASE.multiply(k).toAffine().x;
    const r = mod(e + x1, n);
    if (r === 0n || r + k === n) continue;
    const s = mod(invert(1n + d, n) * (k - r * d), n);
    if (s === 0n) continue;
    return derSignature(r, s);
  }
}

/** Whether `signature` (DER) is a valid SM2DSA signature of `message` by the key in `spki`. */
export function sm2Verify(message: Uint8Array, signature: Uint8Array, spki: Uint8Array): boolean {
  let publicKey: SmPoint;
  let r: bigint;
  let s: bigint;
  try {
    publicKey = pointOfSpki(spki);
    ({ r, s } = parseDerSignature(signature));
  } catch {
    return false;
  }
  const { n } = CURVE;
  if (!(r >= 1n && r < n && s >= 1n && s < n)) return false;
  const t = mod(r + s, n);
  if (t === 0n) return false;
  const sum = Point.BASE.multiplyUnsafe(s).add(publicKey.multiplyUnsafe(t));
  if (sum.is0()) return false;
  return mod(digestOf(message, publicKey) + sum.toAffine().x, n) === r;
}

function derInteger(x: bigint): Buffer {
  let bytes = Buffer.from(
    x
      .toString(16)
      .padStart(2, '0')
      .replace(/^(.(..)*)$/, '0$1'),
    'hex',
  );
  while (bytes.length > 1 && bytes[0] === 0 && bytes[1]! < 0x80) bytes = bytes.subarray(1);
  if (bytes[0]! >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

export function derSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** r and s of a DER signature, strictly: minimal encodings, nothing after. */
export function parseDerSignature(signature: Uint8Array): { r: bigint; s: bigint } {
  const der = Buffer.from(signature);
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) throw new Error('not a DER signature');
  let at = 2;
  const integer = (): bigint => {
    if (der[at] !== 0x02) throw new Error('not a DER signature');
    const length = der[at + 1]!;
    const bytes = der.subarray(at + 2, at + 2 + length);
    if (length === 0 || bytes.length !== length || bytes[0]! >= 0x80 || (length > 1 && bytes[0] === 0 && bytes[1]! < 0x80)) {
      throw new Error('not a minimal DER integer');
    }
    at += 2 + length;
    return toBigInt(bytes);
  };
  const r = integer();
  const s = integer();
  if (at !== der.length) throw new Error('bytes after the DER signature');
  return { r, s };
}
