/** Jest global teardown: stops the servers started by global-setup.ts. */
import type { TestServerHandles } from './global-setup.js';

const HANDLES_KEY = '__credexTestServers'; // = HANDLES_KEY in global-setup.ts (a value import would not resolve here)

export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<string, unknown>;
  const handles = globals[HANDLES_KEY] as TestServerHandles | undefined;
  delete globals[HANDLES_KEY];
  await handles?.stop();
}
