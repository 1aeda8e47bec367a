/** Everything written to stdout and stderr while `fn` runs (for tests that scan logs). */
import { jest } from '@jest/globals';

export async function captureOutput(fn: () => Promise<void>): Promise<string> {
  let output = '';
  const capture = (chunk: string | Uint8Array) => {
    output += chunk.toString();
    return true;
  };
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    await fn();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return output;
}
