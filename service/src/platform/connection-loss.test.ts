import { expect } from 'chai';
import { Client } from 'pg';
import { QueryTypes } from 'sequelize';
import { createTestDatabase } from '../../test/support/environment';
import { createDatabase } from './db';
import { createDirectQuery } from './direct-query';
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
    const sequelize = createDatabase({ url, poolMax: 1, statementTimeoutMs: 30_000 });
    // The PHI read's path: node-postgres on the pool's one connection, its errors as the driver makes them.
    const direct = createDirectQuery(sequelize, undefined, { prepared: false });
    try {
      // The pool's one connection: the next statement runs on it. After a termination the pool may hand
      // out the dead one once more (it fails, and is dropped) before it connects anew.
      const pid = async (): Promise<number> => {
        try {
          return ((await direct('select', 'SELECT pg_backend_pid()', [])) as [[number]])[0][0];
        } catch {
          return pid();
        }
      };
      const failures = [
        await endedUnder(() => direct('select', 'SELECT pg_sleep(5)', []), await pid(), killer),
        await endedUnder(
          () => sequelize.query('SELECT pg_sleep(5)', { type: QueryTypes.SELECT }),
          await pid(),
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
      await killer.end();
    }
  });
});
