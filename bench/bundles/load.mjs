/**
 * Run by bench/bundles.bench.ts in a fresh Node.js process: `node load.mjs <bundle file URL> [event JSON]`.
 * Imports the bundle — nothing else runs before it but Node's own start and this file — and
 * prints, as its last stdout line, one JSON object: when the import began and when the module was
 * ready with its `handler` export (ms since the process started: performance.now() counts from
 * performance.timeOrigin, the process start), the CPU time used until then (all threads), and,
 * given an event, how long the first handler call took and how it ended.
 */
const { performance } = globalThis;
const importStartMs = performance.now();
const [file, eventJson] = process.argv.slice(2);
const mod = await import(file);
const readyMs = performance.now();
const cpu = process.cpuUsage();
if (typeof mod.handler !== 'function') throw new Error(`${file} exports no handler function`);

let firstCallMs = null;
let outcome = null;
if (eventJson !== undefined) {
  const context = {
    functionName: 'credex-bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws-cn:lambda:cn-north-1:000000000000:function:credex-bench',
    memoryLimitInMB: '512',
    awsRequestId: 'bench',
    getRemainingTimeInMillis: () => 30_000,
  };
  const t0 = performance.now();
  try {
    const result = await mod.handler(JSON.parse(eventJson), context);
    outcome = `returned ${JSON.stringify(result).slice(0, 120)}`;
  } catch (error) {
    outcome = `threw ${error?.name}: ${String(error?.message).slice(0, 120)}`;
  }
  firstCallMs = performance.now() - t0;
}
process.stdout.write(`\n${JSON.stringify({ credexBundleBench: true, importStartMs, readyMs, cpuMs: (cpu.user + cpu.system) / 1000, firstCallMs, outcome })}\n`);
