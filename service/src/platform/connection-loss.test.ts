import { expect } from 'chai';
import { Client } from 'pg';
import { QueryTypes } from 'sequelize';
import { createTestDatabase } from '../../test/support/environment';
import { createDatabase } from './db';
import { toAppError } from './problem';

/** The rejection of a statement whose connection the server ends while it runs. */
async function endedUnder(statement: () => Promise<unknown>, pid: number, killer: Client): Promise<unknown> {
  const running = statement().then(
    () => new Error('the statement did not fail'),
    (error: unknown) => error,
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  await killer.query('SELECT pg_terminate_backend($1)', [pid]);
  return running;
}

describe('a database connection lost under a statement (a server restart, a pooler gone)', () => {
  it('is a 503 database_unavailable, from the driver directly or through Sequelize', async () => {
    const url = await createTestDatabase('connection_loss');
    const killer = new Client({ connectionString: url });
    await killer.connect();
    // A direct query (platform/direct-query.ts) gets node-postgres's own error.
    const direct = new Client({ connectionString: url });
    direct.on('error', () => undefined); // the termination also arrives as an event
    await direct.connect();
    const sequelize = createDatabase({ url, poolMax: 1, statementTimeoutMs: 30_000 });
    try {
      const pidOf = async (query: () => Promise<{ pid: number }[]>) => (await query())[0]!.pid;
      const directPid = await pidOf(
        async () => (await direct.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows,
      );
      const sequelizePid = await pidOf(() =>
        sequelize.query('SELECT pg_backend_pid() AS pid', { type: QueryTypes.SELECT }),
      );
      const failures = [
        await endedUnder(() => direct.query('SELECT pg_sleep(5)'), directPid, killer),
        await endedUnder(
          () => sequelize.query('SELECT pg_sleep(5)', { type: QueryTypes.SELECT }),
          sequelizePid,
          killer,
        ),
      ];
      for (const failure of failures) {
        expect(failure).to.be.instanceOf(Error);
        const problem = toAppError(failure);
        expect(problem.status, String(failure)).to.equal(503);
        expect(problem.code).to.equal('database_unavailable');
      }
    } finally {
      await sequelize.close();
      await direct.end().catch(() => undefined);
      await killer.end();
    }
  });
});
