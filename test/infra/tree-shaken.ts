/** A module as esbuild tree-shakes it into one file, its packages left out (their imports stay visible): what its code can call. */
import * as esbuild from 'esbuild';

export async function treeShaken(entry: string): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
