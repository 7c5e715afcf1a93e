import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';

/** Waits (without asserting on time) for something that happens in the background. */
export async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    if (await condition()) return;
    await sleep(25);
  }
  expect.fail(`${what} never happened`);
}
