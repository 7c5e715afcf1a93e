/** Periodic work that starts on demand and returns the function that stops it. */
export interface PeriodicWork {
  start(intervalMs: number): () => void;
}

/**
 * Starts periodic jobs of one interval spread evenly over it: job i starts i/n of an interval after the
 * first, so their runs never fall in the same millisecond. Started together, the expiry sweep and the
 * three gauges took four database connections and four statements at once every 15 s, which under load
 * held the answers queued behind them (loadtests/reports/hot-paths.md). Returns the function that stops
 * every job, started or still waiting for its turn.
 */
export function startStaggered(jobs: readonly PeriodicWork[], intervalMs: number): () => void {
  const stops: (() => void)[] = [];
  const pending = jobs.map((job, index) => {
    const timer = setTimeout(() => stops.push(job.start(intervalMs)), (index * intervalMs) / jobs.length);
    timer.unref();
    return timer;
  });
  return () => {
    pending.forEach((timer) => clearTimeout(timer));
    stops.forEach((stop) => stop());
  };
}
