/**
 * Merkle trees as Certificate Transparency builds them (RFC 9162 §2.1), with SM3 as the hash:
 * a leaf's hash is SM3(0x00 ‖ leaf), an inner node's SM3(0x01 ‖ left ‖ right), and a tree of n
 * leaves splits at the largest power of two below n. The domain bytes keep a leaf from passing for
 * a node. Inclusion proofs and their check follow §2.1.3.
 */
import { createHash } from 'node:crypto';

const sm3 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sm3');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export const leafHash = (leaf: Uint8Array): Buffer => sm3(LEAF, leaf);
const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => sm3(NODE, left, right);

/**
 * Every level of the tree, leaves' hashes first. Built bottom-up: a node without a sibling moves up
 * unchanged, which gives exactly RFC 9162's tree for any number of leaves.
 */
function levelsOf(leafHashes: readonly Buffer[]): Buffer[][] {
  const levels: Buffer[][] = [[...leafHashes]];
  while (levels.at(-1)!.length > 1) {
    const below = levels.at(-1)!;
    const level: Buffer[] = [];
    for (let i = 0; i < below.length; i += 2) level.push(i + 1 < below.length ? nodeHash(below[i]!, below[i + 1]!) : below[i]!);
    levels.push(level);
  }
  return levels;
}

/** The tree head of these leaves (SM3 of nothing for none). */
export function merkleRoot(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return sm3();
  return levelsOf(leaves.map(leafHash)).at(-1)![0]!;
}

/** The audit path of leaf `index` (RFC 9162 §2.1.3.1), nearest sibling first. */
export function inclusionProof(leaves: readonly Uint8Array[], index: number): Buffer[] {
  if (!(Number.isInteger(index) && index >= 0 && index < leaves.length)) throw new RangeError(`no leaf ${index} in a tree of ${leaves.length}`);
  return inclusionProofs(leaves)[index]!;
}

/** Every leaf's audit path at once (one tree built for all). */
export function inclusionProofs(leaves: readonly Uint8Array[]): Buffer[][] {
  const levels = levelsOf(leaves.map(leafHash));
  return leaves.map((_, leafIndex) => {
    const path: Buffer[] = [];
    let index = leafIndex;
    for (const level of levels.slice(0, -1)) {
      const sibling = index ^ 1;
      if (sibling < level.length) path.push(level[sibling]!);
      index >>= 1;
    }
    return path;
  });
}

/** Whether `proof` shows `leaf` at `index` in the tree of `treeSize` leaves whose head is `root` (RFC 9162 §2.1.3.2). */
export function verifyInclusion(leaf: Uint8Array, index: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!(Number.isInteger(index) && Number.isInteger(treeSize) && index >= 0 && index < treeSize)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r: Buffer = leafHash(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.equals(Buffer.from(root));
}
