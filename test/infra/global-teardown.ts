/** Removes the infra tier's synthesized fixtures (./global-setup.ts). */
import { rmSync } from 'node:fs';

export default function globalTeardown(): void {
  const dir = process.env['CREDEX_TEST_SYNTH_DIR'];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
