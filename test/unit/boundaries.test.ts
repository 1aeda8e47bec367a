/**
 * Which folder may import which: the Lambda code (functions/) depends on the shared facts
 * (topology/) and never on the CDK app (infra/), the local runtime, the CLI or the tests; topology/
 * depends on nothing but the record contract's types; infra/ imports nothing from functions/ (it
 * bundles them by entry path). Read from the sources' import statements.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SPECIFIER = /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));
}

/** `[file, imported file]` for every relative import of the folder's sources, both relative to the root. */
function importsOf(folder: string): Array<[string, string]> {
  return sources(folder).flatMap((file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    return [...text.matchAll(SPECIFIER)].map((m): [string, string] => [
      file,
      relative(ROOT, resolve(ROOT, dirname(file), (m[1] ?? m[2])!)).replace(/\.js$/, '.ts'),
    ]);
  });
}

const into =
  (folders: readonly string[]) =>
  ([, target]: [string, string]) =>
    folders.some((folder) => target.startsWith(`${folder}/`));

describe('import boundaries', () => {
  it('finds the imports it checks (the scan works)', () => {
    expect(importsOf('functions').length).toBeGreaterThan(100);
    expect(importsOf('functions').some(([, target]) => target === 'topology/topology.ts')).toBe(true);
  });

  it('functions/ imports nothing from infra/, local/, cli/, bench/ or test/', () => {
    expect(importsOf('functions').filter(into(['infra', 'local', 'cli', 'bench', 'test']))).toEqual([]);
  });

  it('in functions/, only the DynamoDB SyncState (functions/shared/state/dynamo/) and the platform (the clients the composition roots get) use the DynamoDB SDK', () => {
    // the rest depends on the SyncState port (functions/shared/state/sync-state.ts)
    const DYNAMODB = /from\s*['"]@aws-sdk\/(?:lib-dynamodb|client-dynamodb)['"]/;
    const users = sources('functions').filter((file) => DYNAMODB.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(users.length).toBeGreaterThan(1);
    expect(
      users.filter((file) => !file.startsWith(join('functions', 'shared', 'state', 'dynamo')) && file !== join('functions', 'shared', 'platform.ts')),
    ).toEqual([]);
  });

  it("topology/ imports only the record contract's types from functions/, and nothing from infra/, local/ or cli/", () => {
    expect(importsOf('topology').length).toBeGreaterThan(0);
    const outside = importsOf('topology').filter(([, target]) => !target.startsWith('topology/'));
    expect(outside.filter(([, target]) => !target.startsWith('functions/shared/records/'))).toEqual([]);
    // type-only: topology/ holds data, never Lambda code
    for (const [file, target] of outside) {
      const specifier = relative(dirname(file), target).replace(/\.ts$/, '.js');
      const statements = readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .filter((line) => line.includes(`'${specifier}'`));
      expect(statements.map((line) => `${file}: ${line.startsWith('import type ') ? 'import type' : line}`)).toEqual(
        statements.map(() => `${file}: import type`),
      );
    }
  });

  it('infra/ imports nothing from functions/ (the stack bundles the functions from their entry paths, named as strings)', () => {
    expect(importsOf('infra').filter(into(['functions']))).toEqual([]);
  });
});
