import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { loadConfig } from '../config';

const run = promisify(execFile);

describe('npm run keys:generate', function () {
  this.timeout(60_000);

  it('prints keys that a production configuration accepts, different every time', async () => {
    const read = async () => {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'service/src/keys/generate-cli.ts']);
      const pairs = [...stdout.matchAll(/^([A-Z_]+)='([^']*)'$/gm)].map(([, name, value]) => [name!, value!]);
      return Object.fromEntries(pairs) as Record<string, string>;
    };
    const keys = await read();
    expect(Object.keys(keys)).to.have.members([
      'JWT_SIGNING_KEYS',
      'ENCRYPTION_KEYS',
      'ENCRYPTION_ACTIVE_KEY_ID',
      'AUDIT_CHECKPOINT_KEY',
    ]);
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://carewatch@db.internal:5432/carewatch',
      ...keys,
    });
    expect(config.encryption.keys.get(keys.ENCRYPTION_ACTIVE_KEY_ID!)).to.have.length(32);
    expect((await read()).ENCRYPTION_KEYS).not.to.equal(keys.ENCRYPTION_KEYS);
  });

  it('is where the production configuration error sends an operator with development keys', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).to.throw(/npm run keys:generate/);
  });
});
