import smCrypto from 'sm-crypto';
import { derSignature, generateSm2KeyPair, parseDerSignature, publicKeyOf, sm2Sign, sm2Verify } from '../../../functions/shared/evidence/sm2.js';

const { sm2 } = smCrypto;
const pointHex = (spki: Buffer) => spki.subarray(spki.length - 65).toString('hex');
const message = 'credex-evidence-window/1\nstage test\nseq 0\n';

describe('SM2 signatures (GB/T 32918.2, default distinguishing id)', () => {
  const pair = generateSm2KeyPair();

  it('signs what an independent implementation (sm-crypto, Z with 1234567812345678) verifies', () => {
    for (let i = 0; i < 5; i++) {
      const signature = sm2Sign(Buffer.from(`${message}${i}`), pair.privateKey);
      expect(sm2.doVerifySignature(`${message}${i}`, signature.toString('hex'), pointHex(pair.publicKeySpki), { der: true, hash: true })).toBe(true);
    }
  });

  it('verifies what the independent implementation signs, and nothing it signs under another distinguishing id', () => {
    const theirs = sm2.doSignature(message, pair.privateKey, { der: true, hash: true });
    expect(sm2Verify(Buffer.from(message), Buffer.from(theirs, 'hex'), pair.publicKeySpki)).toBe(true);
    const otherId = sm2.doSignature(message, pair.privateKey, { der: true, hash: true, userId: 'credex@example' });
    expect(sm2Verify(Buffer.from(message), Buffer.from(otherId, 'hex'), pair.publicKeySpki)).toBe(false);
  });

  it('refuses another message, another key, a changed signature and malformed input', () => {
    const signature = sm2Sign(Buffer.from(message), pair.privateKey);
    expect(sm2Verify(Buffer.from(message), signature, pair.publicKeySpki)).toBe(true);
    expect(sm2Verify(Buffer.from(`${message} `), signature, pair.publicKeySpki)).toBe(false);
    expect(sm2Verify(Buffer.from(message), signature, generateSm2KeyPair().publicKeySpki)).toBe(false);
    const flipped = Buffer.from(signature);
    flipped[flipped.length - 1]! ^= 1;
    expect(sm2Verify(Buffer.from(message), flipped, pair.publicKeySpki)).toBe(false);
    expect(sm2Verify(Buffer.from(message), Buffer.from('3006020100020100', 'hex'), pair.publicKeySpki)).toBe(false);
    expect(sm2Verify(Buffer.from(message), signature, Buffer.alloc(91))).toBe(false);
  });

  it('derives the public key from the private one, and encodes signatures as minimal DER', () => {
    expect(publicKeyOf(pair.privateKey).equals(pair.publicKeySpki)).toBe(true);
    for (const [r, s] of [
      [1n, 2n],
      [0x80n, 0xffn],
      [2n ** 255n, 2n ** 256n - 1n],
    ] as const) {
      expect(parseDerSignature(derSignature(r, s))).toEqual({ r, s });
    }
    expect(() => parseDerSignature(Buffer.from('30070201000201000000', 'hex'))).toThrow();
    expect(() => parseDerSignature(Buffer.from('300702020001020101', 'hex'))).toThrow(/minimal/);
  });
});
