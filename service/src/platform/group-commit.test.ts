import { expect } from 'chai';
import { ConnectionError } from 'sequelize';
import { groupCommit } from './group-commit';

/** A write that records what it was given, and finishes the first batch only when told to. */
function recordedWrites(fail: (item: number) => boolean = () => false) {
  const events: string[] = [];
  let finishFirst!: () => void;
  const firstHeld = new Promise<void>((resolve) => (finishFirst = resolve));
  let writes = 0;
  const writeMany = async (items: readonly number[]) => {
    writes += 1;
    events.push(`write ${items.join(',')}`);
    if (writes === 1) await firstHeld;
    if (items.some(fail)) throw new Error('refused');
    return items.map((item) => item * 10);
  };
  return { events, finishFirst, writeMany };
}

describe('group commit', () => {
  it('sends the next batch before it answers the callers of the batch just committed', async () => {
    const { events, finishFirst, writeMany } = recordedWrites();
    const commit = groupCommit(writeMany, { maxBatch: 10, maxInFlight: 1 });
    const answered = (item: number) =>
      commit(item).then((result) => events.push(`answered ${item} with ${result}`));
    const calls = [answered(1), answered(2), answered(3)];
    finishFirst();
    await Promise.all(calls);
    expect(events).to.deep.equal([
      'write 1',
      'write 2,3',
      'answered 1 with 10',
      'answered 2 with 20',
      'answered 3 with 30',
    ]);
  });

  it('writes a failed batch again item by item, so that only the bad item fails its caller', async () => {
    const { events, finishFirst, writeMany } = recordedWrites((item) => item === 3);
    const commit = groupCommit(writeMany, { maxBatch: 10, maxInFlight: 1 });
    const first = commit(1);
    const rest = [2, 3, 4].map((item) => commit(item).then(String, (error: Error) => error.message));
    finishFirst();
    expect(await first).to.equal(10);
    expect(await Promise.all(rest)).to.deep.equal(['20', 'refused', '40']);
    expect(events).to.deep.equal(['write 1', 'write 2,3,4', 'write 2', 'write 3', 'write 4']);
  });

  it('fails every caller of a batch at once when the connection was lost, writing nothing again', async () => {
    const events: string[] = [];
    const commit = groupCommit(
      async (items: readonly number[]) => {
        events.push(`write ${items.join(',')}`);
        await new Promise((resolve) => setImmediate(resolve));
        throw new ConnectionError(new Error('Connection terminated unexpectedly'));
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const outcomes = await Promise.allSettled([1, 2, 3].map((item) => commit(item)));
    expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['rejected', 'rejected', 'rejected']);
    for (const outcome of outcomes)
      expect((outcome as PromiseRejectedResult).reason).to.be.instanceOf(ConnectionError);
    expect(events).to.deep.equal(['write 1', 'write 2,3']);
  });
});
