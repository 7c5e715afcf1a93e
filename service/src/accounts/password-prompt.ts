import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

/**
 * Asks for a password on the terminal without echoing it, twice, until both entries match. The prompt
 * goes to stderr; what is typed is never written anywhere.
 */
export async function promptNewPassword(): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const terminal = createInterface({ input: process.stdin, output, terminal: true });
  const ask = async (question: string) => {
    process.stderr.write(question);
    muted = true;
    const answer = terminal.question('');
    const typed = await answer;
    muted = false;
    process.stderr.write('\n');
    return typed;
  };
  try {
    for (;;) {
      const first = await ask('Password (12 characters or more, not echoed): ');
      const second = await ask('The same password again: ');
      if (first === second) return first;
      process.stderr.write('The two entries differ; try again.\n');
    }
  } finally {
    terminal.close();
  }
}
