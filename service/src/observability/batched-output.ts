import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';

/**
 * Standard output for the log, with the lines of one event-loop turn written together. On Linux a write
 * to a pipe is a synchronous system call; with one access line per request, writing each line on its own
 * cost a system call per request. Lines keep their order; what is pending when the process exits (even
 * by process.exit) is written synchronously then.
 */
export function batchedOutput(target: NodeJS.WritableStream = process.stdout, fd = 1): Writable {
  let pending: string[] = [];
  const take = () => {
    const text = pending.join('');
    pending = [];
    return text;
  };
  const flush = () => {
    if (pending.length > 0) target.write(take());
  };
  process.once('exit', () => {
    if (pending.length > 0) writeSync(fd, take());
  });
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      if (pending.length === 0) setImmediate(flush);
      pending.push(chunk.toString());
      done();
    },
    final(done) {
      flush();
      done();
    },
  });
}
