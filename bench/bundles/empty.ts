/** The baseline of bench/bundles.bench.ts: a bundle with a handler and nothing else (Node's own start). */
export const handler = async (): Promise<Record<string, never>> => ({});
