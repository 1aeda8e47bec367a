#!/usr/bin/env node
// Checks a credex evidence proof bundle (format credex-evidence-bundle/1) with nothing but Node.js
// (18 or newer, built with OpenSSL 3 for SM3). It depends on no package and on nothing else in the
// repository it comes from: copy this one file. The format is described in docs/evidence.md.
//
//   node verify-evidence-bundle.mjs bundle.json [--key trusted-public-key.pem]
//
// Exit status: 0 every entry is proved; 1 the bundle does not hold (the reason is printed);
// 2 the bundle cannot be read. Without --key, the bundle's own public key is used: compare the
// fingerprint printed with the one the exchange's operator publishes.

import { Buffer } from 'node:buffer';
import { createHash, createPublicKey, verify as verifyEcdsa } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const sm3 = (...parts) => {
  const hash = createHash('sm3');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

// ---------------------------------------------------------------- SM2 (GB/T 32918.2), verification only

const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
const A = 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn;
const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
const G = [0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n, 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n];
const SM2_SPKI_PREFIX = '3059301306072a8648ce3d020106082a811ccf5501822d034200';
const DEFAULT_ID = Buffer.from('1234567812345678');

const mod = (a, m) => ((a % m) + m) % m;
const inv = (a, m) => {
  let [r0, r1, s0, s1] = [mod(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return mod(s0, m);
};
// Jacobian coordinates (X, Y, Z) stand for (X/Z², Y/Z³); Z = 0 is the point at infinity. SM2's a is −3.
const INFINITY = [0n, 1n, 0n];
const double = ([X, Y, Z]) => {
  if (Z === 0n || Y === 0n) return INFINITY;
  const zz = (Z * Z) % P;
  const m = mod(3n * (X - zz) * (X + zz), P);
  const yy = (Y * Y) % P;
  const s = (4n * X * yy) % P;
  const x3 = mod(m * m - 2n * s, P);
  return [x3, mod(m * (s - x3) - 8n * yy * yy, P), (2n * Y * Z) % P];
};
const add = (p, q) => {
  if (p[2] === 0n) return q;
  if (q[2] === 0n) return p;
  const z1z1 = (p[2] * p[2]) % P;
  const z2z2 = (q[2] * q[2]) % P;
  const u1 = (p[0] * z2z2) % P;
  const u2 = (q[0] * z1z1) % P;
  const s1 = (((p[1] * q[2]) % P) * z2z2) % P;
  const s2 = (((q[1] * p[2]) % P) * z1z1) % P;
  if (u1 === u2) return s1 === s2 ? double(p) : INFINITY;
  const h = mod(u2 - u1, P);
  const r = mod(s2 - s1, P);
  const hh = (h * h) % P;
  const hhh = (hh * h) % P;
  const v = (u1 * hh) % P;
  const x3 = mod(r * r - hhh - 2n * v, P);
  return [x3, mod(r * (v - x3) - s1 * hhh, P), (((h * p[2]) % P) * q[2]) % P];
};
/** u·G + v·Q in one pass (Shamir's trick), as an affine x, or null for the point at infinity. */
const combinedX = (u, g, v, q) => {
  const gq = add(g, q);
  let acc = INFINITY;
  for (let bit = BigInt(Math.max(u.toString(2).length, v.toString(2).length) - 1); bit >= 0n; bit--) {
    acc = double(acc);
    const pick = (((u >> bit) & 1n) << 1n) | ((v >> bit) & 1n);
    if (pick === 3n) acc = add(acc, gq);
    else if (pick === 2n) acc = add(acc, g);
    else if (pick === 1n) acc = add(acc, q);
  }
  if (acc[2] === 0n) return null;
  const zinv = inv(acc[2], P);
  return (acc[0] * zinv * zinv) % P;
};
const be32 = (x) => Buffer.from(x.toString(16).padStart(64, '0'), 'hex');
const big = (bytes) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);

function derSignature(sig) {
  const fail = () => {
    throw new Error('the signature is not a DER SEQUENCE of two INTEGERs');
  };
  if (sig.length < 8 || sig[0] !== 0x30 || sig[1] !== sig.length - 2) fail();
  let at = 2;
  const integer = () => {
    if (sig[at] !== 0x02) fail();
    const length = sig[at + 1];
    const bytes = sig.subarray(at + 2, at + 2 + length);
    if (length === 0 || bytes.length !== length || bytes[0] >= 0x80 || (length > 1 && bytes[0] === 0 && bytes[1] < 0x80)) fail();
    at += 2 + length;
    return big(bytes);
  };
  const r = integer();
  const s = integer();
  if (at !== sig.length) fail();
  return [r, s];
}

function sm2Verify(message, signature, spki) {
  if (spki.length !== 91 || spki.subarray(0, 26).toString('hex') !== SM2_SPKI_PREFIX || spki[26] !== 0x04) throw new Error('the public key is not an SM2 key');
  const Q = [big(spki.subarray(27, 59)), big(spki.subarray(59, 91))];
  if (mod(Q[1] * Q[1] - (Q[0] * Q[0] * Q[0] + A * Q[0] + B), P) !== 0n) throw new Error('the public key is not a point of the SM2 curve');
  const [r, s] = derSignature(signature);
  if (!(r >= 1n && r < N && s >= 1n && s < N)) return false;
  const t = mod(r + s, N);
  if (t === 0n) return false;
  const z = sm3(Buffer.from([0x00, 0x80]), DEFAULT_ID, be32(A), be32(B), be32(G[0]), be32(G[1]), be32(Q[0]), be32(Q[1]));
  const e = big(sm3(z, message));
  const x1 = combinedX(s, [G[0], G[1], 1n], t, [Q[0], Q[1], 1n]);
  return x1 !== null && mod(e + x1, N) === r;
}

function verifySignature(algorithm, message, signature, spki) {
  if (algorithm === 'SM2DSA') return sm2Verify(message, signature, spki);
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('the public key is not a P-256 key');
  return verifyEcdsa('sha256', message, { key, dsaEncoding: 'der' }, signature);
}

// ---------------------------------------------------------------- Merkle inclusion (RFC 9162 §2.1.3.2, SM3)

function verifyInclusion(leaf, index, size, proof, root) {
  if (!(Number.isInteger(index) && index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = sm3(Buffer.from([0]), leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = sm3(Buffer.from([1]), p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = sm3(Buffer.from([1]), r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.equals(root);
}

// ---------------------------------------------------------------- the bundle

const STATEMENT =
  /^credex-evidence-window\/1\nstage ([a-z][a-z0-9]*)\nseq (0|[1-9]\d{0,14})\nfrom (\S+)\nuntil (\S+)\nentries (0|[1-9]\d{0,9})\nroot ([0-9a-f]{64})\nprevious ([0-9a-f]{64})\nkey (\S+)\nalgorithm (SM2DSA|ECDSA_SHA_256)\n$/;
const HEX64 = /^[0-9a-f]{64}$/;

class Broken extends Error {}
const check = (condition, message) => {
  if (!condition) throw new Broken(message);
};
const exactKeys = (value, keys, where) =>
  check(
    value !== null && typeof value === 'object' && !Array.isArray(value) && JSON.stringify(Object.keys(value)) === JSON.stringify(keys),
    `${where} must have exactly the members ${keys.join(', ')}, in that order`,
  );

/** Checks a bundle's text; returns what it proves, or throws Broken naming the first thing that does not hold. */
export function verifyBundle(text, trustedPem) {
  let bundle;
  try {
    bundle = JSON.parse(text);
  } catch {
    throw new Broken('the bundle is not JSON');
  }
  check(
    `${JSON.stringify(bundle, null, 2)}\n` === text,
    'the bundle is not written as it was issued (JSON, two-space indentation, final newline): it was changed',
  );
  exactKeys(bundle, ['format', 'record', 'algorithm', 'publicKey', 'windows', 'entries'], 'the bundle');
  check(bundle.format === 'credex-evidence-bundle/1', `unknown bundle format ${JSON.stringify(bundle.format)}`);
  const recordParts = typeof bundle.record === 'string' ? /^([A-Za-z]+):([a-z0-9-]+|\*):(.+)$/.exec(bundle.record) : null;
  check(recordParts, 'record must be recordType:source:recordId');
  check(bundle.algorithm === 'SM2DSA' || bundle.algorithm === 'ECDSA_SHA_256', `unknown algorithm ${JSON.stringify(bundle.algorithm)}`);
  const pem = /^-----BEGIN PUBLIC KEY-----\n([A-Za-z0-9+/=\n]+)-----END PUBLIC KEY-----\n$/.exec(bundle.publicKey);
  check(pem, 'publicKey is not a PEM public key');
  const spki = Buffer.from(pem[1].replace(/\n/g, ''), 'base64');
  check(
    `-----BEGIN PUBLIC KEY-----\n${spki.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PUBLIC KEY-----\n` === bundle.publicKey,
    'publicKey is not in canonical PEM',
  );
  if (trustedPem !== undefined) check(trustedPem.trim() === bundle.publicKey.trim(), 'the bundle is signed by another key than the one you trust (--key)');
  const fingerprint = sm3(spki).toString('hex').slice(0, 32);
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

  check(Array.isArray(bundle.windows) && bundle.windows.length > 0, 'windows must be a non-empty list');
  const windows = new Map();
  let previous;
  for (const [i, w] of bundle.windows.entries()) {
    const where = `windows[${i}]`;
    exactKeys(w, ['statement', 'signature'], where);
    const m = typeof w.statement === 'string' && STATEMENT.exec(w.statement);
    check(m, `${where}: the statement is not in the credex-evidence-window/1 format`);
    const [, stage, seq, from, until, entries, root, prev, keyId, algorithm] = m;
    check(ISO.test(from) && ISO.test(until), `${where}: from and until must be UTC times with milliseconds`);
    // a local key is named by its fingerprint: it must be the bundle's key (a KMS key is named by its ARN)
    check(!keyId.startsWith('local:') || keyId === `local:${fingerprint}`, `${where}: signed by ${keyId}, but the bundle's public key is local:${fingerprint}`);
    check(algorithm === bundle.algorithm, `${where}: signed with ${algorithm}, the bundle says ${bundle.algorithm}`);
    check(typeof w.signature === 'string' && Buffer.from(w.signature, 'base64').toString('base64') === w.signature, `${where}: the signature is not base64`);
    const window = {
      seq: Number(seq),
      stage,
      from,
      until,
      size: Number(entries),
      root: Buffer.from(root, 'hex'),
      previous: prev,
      keyId,
      used: false,
      where,
      ...w,
    };
    check(!previous || window.seq > previous.seq, `${where}: windows must be in increasing order of seq`);
    check(!previous || previous.stage === stage, `${where}: of stage ${stage}, the windows before it of ${previous?.stage}`);
    check(from <= until, `${where}: the window ends before it starts`);
    check(!previous || window.keyId === previous.keyId, `${where}: signed by key ${keyId}, the windows before it by ${previous?.keyId}`);
    // consecutive windows: the chain link between them is checked too (hash and time)
    if (previous && window.seq === previous.seq + 1) {
      check(prev === sm3(Buffer.from(previous.statement, 'utf8')).toString('hex'), `${where}: window ${seq} does not follow window ${previous.seq}`);
      check(from === previous.until, `${where}: window ${seq} starts at ${from}, not where window ${previous.seq} ended (${previous.until})`);
    }
    windows.set(window.seq, window);
    previous = { ...window, statement: w.statement };
  }

  check(Array.isArray(bundle.entries) && bundle.entries.length > 0, 'entries must be a non-empty list');
  const [, recordType, source, recordId] = recordParts;
  const exchanges = [];
  const seen = new Set();
  for (const [i, e] of bundle.entries.entries()) {
    const where = `entries[${i}]`;
    exactKeys(e, ['window', 'index', 'line', 'proof'], where);
    const window = windows.get(e.window);
    check(window, `${where}: window ${e.window} is not in the bundle`);
    check(
      typeof e.line === 'string' && Array.isArray(e.proof) && e.proof.every((h) => typeof h === 'string' && HEX64.test(h)),
      `${where}: line must be text and proof a list of SM3 hashes (hex)`,
    );
    check(!seen.has(`${e.window}:${e.index}`), `${where}: the same entry twice`);
    seen.add(`${e.window}:${e.index}`);
    const proved = verifyInclusion(
      Buffer.from(e.line, 'utf8'),
      e.index,
      window.size,
      e.proof.map((h) => Buffer.from(h, 'hex')),
      window.root,
    );
    check(proved, `${where}: not entry ${e.index} of window ${e.window}'s signed tree (the entry or its proof was changed)`);
    window.used = true;
    let entry;
    try {
      entry = JSON.parse(e.line);
    } catch {
      throw new Broken(`${where}: the entry is not JSON`);
    }
    // a key is type:source:id:revision[:destination][:unpublish]; an id may hold ':', so what follows it must be exactly that
    const mine = Array.isArray(entry.records)
      ? entry.records.find((r) => {
          const key = String(r?.key);
          const [t, s] = key.split(':', 2);
          const prefix = `${t}:${s}:${recordId}:`;
          return (
            t === recordType && (source === '*' || s === source) && key.startsWith(prefix) && /^\d+(:[A-Za-z]+)?(:unpublish)?$/.test(key.slice(prefix.length))
          );
        })
      : undefined;
    check(mine, `${where}: the entry does not concern ${bundle.record}`);
    exchanges.push({ window: e.window, windowEnds: window.until, entry, record: mine });
  }
  for (const window of windows.values()) check(window.used, `window ${window.seq} is in the bundle but proves none of its entries`);
  // the signatures last: the costly check, on statements whose shape, chain and trees already hold
  for (const window of windows.values()) {
    let good;
    try {
      good = verifySignature(bundle.algorithm, Buffer.from(window.statement, 'utf8'), Buffer.from(window.signature, 'base64'), spki);
    } catch (err) {
      throw new Broken(`${window.where}: ${err.message}`);
    }
    check(good, `${window.where} (window ${window.seq}): the signature does not verify with the bundle's public key`);
  }
  return { record: bundle.record, algorithm: bundle.algorithm, fingerprint, keyId: previous.keyId, stage: previous.stage, exchanges };
}

function main(argv) {
  // `… | head` closes the pipe early: stop quietly, as other Unix tools do
  process.stdout.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(141);
    throw err;
  });
  const args = argv.slice(2);
  const keyAt = args.indexOf('--key');
  let trustedPem;
  if (keyAt !== -1) {
    trustedPem = readFileSync(args[keyAt + 1] ?? '', 'utf8');
    args.splice(keyAt, 2);
  }
  if (args.length !== 1 || args[0].startsWith('-')) {
    process.stderr.write('usage: node verify-evidence-bundle.mjs <bundle.json> [--key <trusted-public-key.pem>]\n');
    return 2;
  }
  let text;
  try {
    text = readFileSync(args[0], 'utf8');
  } catch (err) {
    process.stderr.write(`cannot read ${args[0]}: ${err.message}\n`);
    return 2;
  }
  try {
    const result = verifyBundle(text, trustedPem);
    process.stdout.write(
      `VERIFIED: ${result.exchanges.length} exchanges of ${result.record}, stage ${result.stage}, signed with ${result.algorithm} (the statements name the key ${result.keyId})\n` +
        (trustedPem
          ? `by the key you trust (--key), fingerprint ${result.fingerprint}\n`
          : `by the bundle's own public key, fingerprint (SM3, first 16 bytes) ${result.fingerprint}: trust this only once it matches the key the district publishes (or pass it with --key)\n`),
    );
    for (const x of result.exchanges) {
      const e = x.entry;
      const answer = e.status === null ? `no answer (${e.error})` : `HTTP ${e.status}`;
      const said = [x.record.outcome, x.record.receipt && `receipt ${x.record.receipt}`].filter(Boolean).join(', ');
      process.stdout.write(
        `  ${e.sentAt}  ${e.kind} ${e.party}  ${e.method} ${e.path}  ${answer}  ${x.record.key}${said ? `  ${said}` : ''}  (window ${x.window}, sealed by ${x.windowEnds})\n`,
      );
    }
    return 0;
  } catch (err) {
    if (!(err instanceof Broken)) throw err;
    process.stdout.write(`NOT VERIFIED: ${err.message}\n`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main(process.argv);
