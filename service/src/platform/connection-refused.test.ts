import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { createTestDatabase } from '../../test/support/environment';
import { createDatabase } from './db';
import { createDirectQuery } from './direct-query';

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
/** Forwards every connection to the test PostgreSQL, byte for byte: the restarted pooler or server. */
function forwardTo(target: URL, port: number): Server {
  return createServer((client) => {
    const server = createConnection(Number(target.port || 5432), target.hostname);
    client.pipe(server).pipe(client);
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  }).listen(port, '127.0.0.1');
}

/**
 * A restarting PgBouncer or PostgreSQL refuses connections for a moment (the drill's PgBouncer restart).
 * Both ways to the database ride it out: Sequelize's queries and the direct statements of the hot paths
 * (the PHI reads, the audit events, the lists).
 */
describe('a database that refuses connections for a moment', () => {
  let forwarder: Server | undefined;
  afterEach(() => forwarder?.close());

  const refusedDatabase = async (name: string) => {
    const target = new URL(await createTestDatabase(name));
    const port = await refusingPort();
    const url = new URL(target);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    const sequelize = createDatabase({ url: url.toString(), poolMax: 1, statementTimeoutMs: 5_000 });
    return { sequelize, comesBack: () => (forwarder = forwardTo(target, port)) };
  };

  it('runs the statement once connections are accepted again, instead of failing it', async () => {
    const { sequelize, comesBack } = await refusedDatabase('refused');
    try {
      const answer = sequelize.query('SELECT 1 AS one', { type: QueryTypes.SELECT });
      await sleep(250);
      comesBack();
      expect(await answer).to.deep.equal([{ one: 1 }]);
    } finally {
      await sequelize.close();
    }
  });

  it('runs a direct statement once connections are accepted again, instead of failing it', async () => {
    const { sequelize, comesBack } = await refusedDatabase('refused_direct');
    try {
      const query = createDirectQuery(sequelize, undefined, { prepared: true });
      const answer = query('select', 'SELECT 1 AS one', []);
      await sleep(250);
      comesBack();
      expect(await answer).to.deep.equal([[1]]);
    } finally {
      await sequelize.close();
    }
  });
});
