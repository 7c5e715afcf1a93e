import { dropRuntimeLogin } from '../../../db/test/seeded';
import { stopTestServer } from './environment';
import { closeSharedRuntime } from './runtime';

/** Mocha root hooks: whatever the run created is closed and dropped when it ends. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await closeSharedRuntime();
    await dropRuntimeLogin();
    await stopTestServer();
  },
};
