#!/usr/bin/env node
// The CLI is TypeScript compiled to dist/ by `npm run build` (run by `prepare` on `npm ci`).
import { existsSync } from 'node:fs';
import { URL } from 'node:url';
/* global AbortController */

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('credex: dist/cli/main.js is missing: run `npm run build` (or `npm ci`) in the project first');
  process.exit(70);
}
const { run } = await import(main.href);

// `credex validate big.ndjson | head` closes the pipe early. Node ignores SIGPIPE, so stop
// quietly with the status a process killed by SIGPIPE has (128 + 13), as other Unix tools do:
// not 0, since the remaining records were never checked.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(141);
  throw err;
});

// Ctrl-C asks a long operation (replay, resync) to stop between two messages; a second one stops at once
const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  process.stderr.write('\ncredex: stopping after the current message (Ctrl-C again to stop now)\n');
  interrupt.abort();
});

try {
  process.exitCode = await run(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    signal: interrupt.signal,
    env: process.env,
  });
} catch (err) {
  console.error(err);
  // neither 1 (invalid records) nor 2 (unreadable input): a bug in credex itself (EX_SOFTWARE)
  process.exitCode = 70;
}
