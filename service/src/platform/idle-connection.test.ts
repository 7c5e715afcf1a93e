import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { createTestDatabase } from '../../test/support/environment';
import { createDatabase } from './db';

describe('idle pool connections', function () {
  this.timeout(60_000);

  it('stay open from one run of the background work to the next, instead of being reopened', async () => {
    const sequelize = createDatabase({
      url: await createTestDatabase('idle_connections'),
      poolMax: 10,
      statementTimeoutMs: 10_000,
    });
    try {
      // Four statements at once, as the expiry sweep and the three gauges run: four connections.
      const backends = async () => {
        const rows = await Promise.all(
          Array.from({ length: 4 }, () =>
            sequelize.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.2)', {
              type: QueryTypes.SELECT,
            }),
          ),
        );
        return new Set(rows.map(([row]) => row!.pid));
      };
      const first = await backends();
      expect(first.size).to.equal(4);
      // The background work's period (15 s), past Sequelize's default idle timeout and its next reaping.
      await new Promise((resolve) => setTimeout(resolve, 16_000));
      expect([...(await backends())]).to.have.members([...first]);
    } finally {
      await sequelize.close();
    }
  });
});
