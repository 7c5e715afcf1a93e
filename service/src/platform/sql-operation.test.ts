import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createTestDatabase } from '../../test/support/environment';
import { metricValue } from '../../test/support/assertions';
import { createMetrics, type Metrics } from '../observability/metrics';
import { createDatabase } from './db';
import { OPERATIONS } from './sql-operation';

const HISTOGRAM = 'carewatch_db_query_duration_seconds';

describe('the operation label of the query-duration histogram', () => {
  let metrics: Metrics;
  let sequelize: Sequelize;

  // Statements run through Sequelize against a real PostgreSQL, so the label comes from the log line it writes.
  before(async () => {
    metrics = createMetrics();
    const url = await createTestDatabase('sql_operation');
    sequelize = createDatabase({ url, poolMax: 2, statementTimeoutMs: 5_000 }, metrics);
    await sequelize.query('CREATE TABLE visits (id int PRIMARY KEY, note text)');
    await sequelize.query('CREATE TABLE archived_visits (id int PRIMARY KEY, note text)');
  });
  beforeEach(async () => {
    await sequelize.query('TRUNCATE visits, archived_visits');
    await sequelize.query(`INSERT INTO visits VALUES (1, 'one'), (2, 'two'), (3, '')`);
  });
  after(async () => sequelize?.close());

  const counts = () =>
    Promise.all(OPERATIONS.map((operation) => metricValue(metrics, HISTOGRAM, { operation }, '_count')));

  /** The labels whose count the statement raised: exactly one for any statement. */
  async function labelsOf(sql: string): Promise<string[]> {
    const before = await counts();
    await sequelize.query(sql);
    const after = await counts();
    return OPERATIONS.filter((_, index) => after[index]! > before[index]!);
  }

  const notes = (table: string) =>
    sequelize.query(`SELECT id, note FROM ${table} ORDER BY id`, { type: QueryTypes.SELECT });

  it('labels a statement with common table expressions by its main statement', async () => {
    expect(
      await labelsOf(
        `WITH stale AS (SELECT id FROM visits WHERE lower(note) LIKE 'o%')
         UPDATE visits SET note = 'seen' FROM stale WHERE visits.id = stale.id`,
      ),
    ).to.deep.equal(['update']);
    expect(
      await labelsOf(
        `WITH moved (id, note) AS (DELETE FROM visits WHERE id = 2 RETURNING id, note)
         INSERT INTO archived_visits SELECT id, note FROM moved`,
      ),
    ).to.deep.equal(['insert']);
    expect(
      await labelsOf(
        `WITH doomed AS (SELECT id FROM visits WHERE coalesce(note, '') = '')
         DELETE FROM visits USING doomed WHERE visits.id = doomed.id`,
      ),
    ).to.deep.equal(['delete']);
    expect(
      await labelsOf(
        'WITH counted AS (SELECT count(*) AS n FROM visits), other AS (SELECT 1) SELECT n FROM counted',
      ),
    ).to.deep.equal(['select']);
    // The statements really did what their label says.
    expect(await notes('visits')).to.deep.equal([{ id: 1, note: 'seen' }]);
    expect(await notes('archived_visits')).to.deep.equal([{ id: 2, note: 'two' }]);
  });

  it('is not misled by parentheses and verbs in literals, nor by a CTE named like a verb', async () => {
    expect(
      await labelsOf(
        `WITH a AS (SELECT ') DELETE' AS t) UPDATE visits SET note = (SELECT t FROM a) WHERE id = 1`,
      ),
    ).to.deep.equal(['update']);
    expect(
      await labelsOf(
        'WITH a AS (SELECT $$) SELECT$$ AS t) UPDATE visits SET note = (SELECT t FROM a) WHERE id = 1',
      ),
    ).to.deep.equal(['update']);
    expect(
      await labelsOf('WITH a AS (SELECT 1 AS ")x") INSERT INTO visits (id) SELECT 10 + ")x" FROM a'),
    ).to.deep.equal(['insert']);
    expect(await labelsOf('WITH update AS (SELECT 1 AS id) SELECT id FROM update')).to.deep.equal(['select']);
    expect(
      await labelsOf(
        'WITH RECURSIVE delete (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM delete WHERE n < 3) SELECT n FROM delete',
      ),
    ).to.deep.equal(['select']);
  });

  it('reads the verb after whitespace and comments, nested block comments included', async () => {
    expect(
      await labelsOf("\n  -- a note (DELETE)\n  UPDATE visits SET note = 'x' WHERE id = 1"),
    ).to.deep.equal(['update']);
    expect(
      await labelsOf('/* outer /* nested */ still a comment: DELETE */ SELECT note FROM visits'),
    ).to.deep.equal(['select']);
    expect(
      await labelsOf(
        '\t/* why */ -- and\n WITH a AS (SELECT 4 AS id) INSERT INTO visits (id) SELECT id FROM a',
      ),
    ).to.deep.equal(['insert']);
  });

  it('reads lowercase and mixed-case statements', async () => {
    expect(await labelsOf('select note from visits')).to.deep.equal(['select']);
    expect(await labelsOf("insert into visits values (5, 'five')")).to.deep.equal(['insert']);
    expect(
      await labelsOf('with a as (select 5 as id) delete from visits where id in (select id from a)'),
    ).to.deep.equal(['delete']);
    expect(await labelsOf("Update visits Set note = 'y' Where id = 1")).to.deep.equal(['update']);
  });

  it('labels any other statement `other`, and uses no value outside the bounded set', async () => {
    expect(await labelsOf('CREATE INDEX visits_note ON visits (note)')).to.deep.equal(['other']);
    expect(await labelsOf('TRUNCATE archived_visits')).to.deep.equal(['other']);
    expect(await labelsOf('WITH a AS (SELECT 1) VALUES (1)')).to.deep.equal(['other']);
    await sequelize.transaction(async (transaction) => {
      await sequelize.query('SELECT 1', { transaction });
    });
    const histogram = await metrics.registry.getSingleMetric(HISTOGRAM)!.get();
    const used = new Set(histogram.values.map((value) => String(value.labels.operation)));
    expect([...OPERATIONS]).to.include.members([...used]);
  });
});
