/**
 * Preloaded into the measured service by loadtests/async-resources.ts (`--import`): counts the async
 * resources the process creates, by type; on SIGUSR2 it writes the counts since the previous signal to
 * ASYNC_RESOURCES_FILE as JSON. With tracing on, every promise, tick and timer runs async hooks (the
 * trace context), so their number per request is a cost that, unlike CPU time, a busy machine cannot blur.
 */
import { createHook } from 'node:async_hooks';
import { writeFileSync } from 'node:fs';

let counts: Record<string, number> = {};
createHook({
  init(_asyncId, type) {
    counts[type] = (counts[type] ?? 0) + 1;
  },
}).enable();
process.on('SIGUSR2', () => {
  writeFileSync(process.env.ASYNC_RESOURCES_FILE!, JSON.stringify(counts));
  counts = {};
});
