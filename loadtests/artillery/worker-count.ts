import os from 'node:os';

/**
 * Preloaded into artillery (NODE_OPTIONS=--require, bundled like the processor) by loadtests/load.ts:
 * artillery 2.0.21 runs `cores - 1` local workers and ignores WORKERS in local mode, so the worker count
 * asked for (LOAD_WORKERS) is set by answering its question about cores.
 */
const wanted = Number(process.env.LOAD_WORKERS);
if (Number.isInteger(wanted) && wanted > 0) {
  const cpus = os.cpus.bind(os);
  os.cpus = () => {
    const real = cpus();
    return Array.from({ length: wanted + 1 }, (_, index) => real[index % real.length]!);
  };
}
