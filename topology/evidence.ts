/**
 * The evidence log's settings shared by the functions, the stack and the CLI: the signature
 * algorithms a window may be signed with (the KMS names), and which one a region's key uses.
 */

/** SM2DSA: SM2 with SM3 and the default distinguishing id (KMS in the China Regions); ECDSA_SHA_256: P-256 elsewhere. */
export const SIGNING_ALGORITHMS = ['SM2DSA', 'ECDSA_SHA_256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
