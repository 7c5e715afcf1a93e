import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { createTestDatabase } from '../../test/support/environment';
import { createDatabase } from './db';

/** A port nothing listens on (yet): connecting to it is refused. */
async function refusingPort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

/**
 * A restarting PgBouncer or PostgreSQL refuses connections for a moment (the drill's PgBouncer restart).
 * The stand-in for the restarted one forwards to the test PostgreSQL, byte for byte.
 */
describe('a database that refuses connections for a moment', () => {
  let forwarder: Server | undefined;
  afterEach(() => forwarder?.close());

  it('runs the statement once connections are accepted again, instead of failing it', async () => {
    const target = new URL(await createTestDatabase('refused'));
    const port = await refusingPort();
    const url = new URL(target);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    const sequelize = createDatabase({ url: url.toString(), poolMax: 1, statementTimeoutMs: 5_000 });
    try {
      const answer = sequelize.query('SELECT 1 AS one', { type: QueryTypes.SELECT });
      await sleep(250);
      forwarder = createServer((client) => {
        const server = createConnection(Number(target.port || 5432), target.hostname);
        client.pipe(server).pipe(client);
        client.on('error', () => server.destroy());
        server.on('error', () => client.destroy());
      }).listen(port, '127.0.0.1');
      expect(await answer).to.deep.equal([{ one: 1 }]);
    } finally {
      await sequelize.close();
    }
  });
});
