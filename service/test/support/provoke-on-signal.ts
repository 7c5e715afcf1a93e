/**
 * Loaded into the real service by process-errors.test.ts: on SIGUSR2 it fails the way PROVOKE names,
 * outside any request, as a forgotten promise or a throwing callback would.
 */
process.on('SIGUSR2', () => {
  if (process.env.PROVOKE === 'rejection') void Promise.reject(new Error('provoked rejection'));
  else
    setImmediate(() => {
      throw new Error('provoked exception');
    });
});
