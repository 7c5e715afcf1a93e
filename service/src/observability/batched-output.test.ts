import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { batchedOutput } from './batched-output';
import { createLogger } from './logger';

describe('batched log output', () => {
  it('writes the lines of one event-loop turn in one write, in order, and each later turn again', async () => {
    const target = new PassThrough();
    const writes: string[] = [];
    target.on('data', (chunk: Buffer) => writes.push(chunk.toString()));
    const logger = createLogger({ level: 'info', stream: batchedOutput(target) });
    logger.info('first', { n: 1 });
    logger.info('second', { n: 2 });
    expect(writes).to.deep.equal([]);
    await nextTurn();
    await nextTurn();
    expect(writes).to.have.length(1);
    expect(
      writes[0]!
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { message: string }).message),
    ).to.deep.equal(['first', 'second']);
    logger.info('third');
    await nextTurn();
    await nextTurn();
    expect(writes).to.have.length(2);
    expect(JSON.parse(writes[1]!).message).to.equal('third');
  });

  it('writes what is pending when the log ends', async () => {
    const target = new PassThrough();
    const output = batchedOutput(target);
    output.write('pending line\n');
    await new Promise<void>((resolve) => output.end(resolve));
    expect(String(target.read() as Buffer)).to.equal('pending line\n');
  });
});
