/** docs/routing.md lists the ingest API's upstreams: the table a client reads must be the registry. */
import { readFileSync } from 'node:fs';
import { upstreams } from '../../../topology/upstreams.js';

test('the upstream table of docs/routing.md is topology/upstreams.ts', () => {
  const doc = readFileSync(new URL('../../../docs/routing.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Upstreams of the ingest API'));
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replaceAll('`', '')),
    );
  const registry = Object.entries(upstreams).map(([id, u]) => {
    const permissions: readonly string[] = 'permissions' in u ? u.permissions : [];
    return [id, u.appKey, u.sources.join(', '), u.recordTypes.join(', '), permissions.length > 0 ? permissions.join(', ') : '—', String(u.rateLimitPerMinute)];
  });
  expect(rows).toEqual(registry);
});
