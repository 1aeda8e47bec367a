/**
 * Jest global setup of the infra tier: synthesizes the stack once for every infra test file
 * (./fixtures.ts) and names the folder in process.env (the workers, forked afterwards, inherit it).
 * Loaded with Node's own loader, so the TypeScript modules come through tsx's `tsImport`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import type * as Fixtures from './fixtures.js';

export default async function globalSetup(): Promise<void> {
  const { writeFixtures, SYNTH_DIR_VARIABLE } = (await tsImport('./fixtures.ts', import.meta.url)) as typeof Fixtures;
  const dir = mkdtempSync(join(tmpdir(), 'credex-synth-'));
  writeFixtures(dir);
  process.env[SYNTH_DIR_VARIABLE] = dir;
}
