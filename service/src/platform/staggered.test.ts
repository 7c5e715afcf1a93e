import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStaggered, type PeriodicWork } from './staggered';

/** A job that notes when it was started and whether it was stopped. */
function noting(): PeriodicWork & { startedAt?: number; stopped: boolean } {
  const job: PeriodicWork & { startedAt?: number; stopped: boolean } = {
    stopped: false,
    start() {
      job.startedAt = performance.now();
      return () => {
        job.stopped = true;
      };
    },
  };
  return job;
}

describe('startStaggered', () => {
  it('starts jobs of one interval spread evenly over it, in order', async () => {
    const jobs = [noting(), noting(), noting(), noting()];
    const origin = performance.now();
    const stop = startStaggered(jobs, 200);
    await sleep(250);
    stop();
    // Job i starts i × 50 ms after the first. A timer never fires before its delay (give or take the
    // millisecond of libuv's cached clock), so these floors hold however loaded the machine is.
    jobs.forEach((job, index) => expect(job.startedAt! - origin).to.be.at.least(index * 50 - 2));
    const starts = jobs.map((job) => job.startedAt!);
    expect(starts).to.deep.equal([...starts].sort((a, b) => a - b));
  });

  it('stops the jobs it started and never starts the ones still waiting for their turn', async () => {
    const jobs = [noting(), noting(), noting()];
    const stop = startStaggered(jobs, 300);
    await sleep(50);
    stop();
    await sleep(300);
    expect(jobs.map((job) => [job.startedAt !== undefined, job.stopped])).to.deep.equal([
      [true, true],
      [false, false],
      [false, false],
    ]);
  });
});
