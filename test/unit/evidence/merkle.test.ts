import { createHash } from 'node:crypto';
import { inclusionProof, inclusionProofs, leafHash, merkleRoot, verifyInclusion } from '../../../functions/shared/evidence/merkle.js';

const sm3 = (...parts: Uint8Array[]) => {
  const h = createHash('sm3');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** RFC 9162 §2.1.1, literally: MTH(D[n]) = SM3(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])), k the largest power of two below n. */
function rfcRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sm3();
  if (leaves.length === 1) return sm3(Buffer.from([0]), leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sm3(Buffer.from([1]), rfcRoot(leaves.slice(0, k)), rfcRoot(leaves.slice(k)));
}

/** RFC 9162 §2.1.3.1, literally: PATH(m, D[n]). */
function rfcPath(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k ? [...rfcPath(m, leaves.slice(0, k)), rfcRoot(leaves.slice(k))] : [...rfcPath(m - k, leaves.slice(k)), rfcRoot(leaves.slice(0, k))];
}

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`{"entry":${i}}`));

describe('Merkle trees (RFC 9162 with SM3)', () => {
  it('gives the RFC tree head and audit paths for every size up to 70 and every leaf', () => {
    for (let n = 0; n <= 70; n++) {
      const leaves = leavesOf(n);
      const root = merkleRoot(leaves);
      expect(root.equals(rfcRoot(leaves))).toBe(true);
      const proofs = inclusionProofs(leaves);
      for (let m = 0; m < n; m++) {
        expect(proofs[m]!.map((h) => h.toString('hex'))).toEqual(rfcPath(m, leaves).map((h) => h.toString('hex')));
        expect(verifyInclusion(leaves[m]!, m, n, proofs[m]!, root)).toBe(true);
      }
    }
  });

  it('separates leaves from nodes: a node cannot pass for a leaf', () => {
    const leaves = leavesOf(4);
    const node = sm3(Buffer.from([1]), leafHash(leaves[0]!), leafHash(leaves[1]!));
    expect(verifyInclusion(node, 0, 2, [sm3(Buffer.from([1]), leafHash(leaves[2]!), leafHash(leaves[3]!))], merkleRoot(leaves))).toBe(false);
  });

  it('refuses a changed leaf, a wrong index, a wrong size, a changed or shortened proof', () => {
    const leaves = leavesOf(11);
    const root = merkleRoot(leaves);
    const proof = inclusionProof(leaves, 6);
    expect(verifyInclusion(leaves[6]!, 6, 11, proof, root)).toBe(true);
    expect(verifyInclusion(Buffer.from('{"entry":66}'), 6, 11, proof, root)).toBe(false);
    expect(verifyInclusion(leaves[6]!, 7, 11, proof, root)).toBe(false);
    // the size decides which side each hash joins: leaf 6 is the last of 7, not of 11
    expect(verifyInclusion(leaves[6]!, 6, 7, proof, root)).toBe(false);
    expect(verifyInclusion(leaves[6]!, 6, 11, proof.slice(1), root)).toBe(false);
    expect(verifyInclusion(leaves[6]!, 6, 11, [...proof, proof[0]!], root)).toBe(false);
    const changed = proof.map((h, i) => (i === 1 ? Buffer.from(h.map((b, j) => (j === 0 ? b ^ 1 : b))) : h));
    expect(verifyInclusion(leaves[6]!, 6, 11, changed, root)).toBe(false);
    expect(() => inclusionProof(leaves, 11)).toThrow(RangeError);
  });
});
