import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { useTestApp } from '../../test/support/test-app';
import { User } from './model';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** The plan PostgreSQL picks when it may scan a table sequentially only if nothing else can answer. */
async function planWithoutSeqScan(sequelize: Sequelize, sql: string, bind: unknown[]): Promise<PlanNode[]> {
  return sequelize.transaction(async (transaction) => {
    await sequelize.query('SET LOCAL enable_seqscan = off', { transaction });
    const [row] = await sequelize.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
      `EXPLAIN (FORMAT JSON) ${sql}`,
      { bind, type: QueryTypes.SELECT, transaction },
    );
    return nodesOf(row!['QUERY PLAN'][0]!.Plan);
  });
}

// At 100,000 patients a login that scans users costs 26 ms of the database and holds a pool connection
// meanwhile: the load test's stress run queued on the pool behind it (loadtests/reports/README.md).
describe('sign-in finds the account by index', () => {
  const app = useTestApp();

  it('every statement of a password login that reads users by email can use an index', async () => {
    // The connection the account model runs on: in a full run, an earlier test may have bound the models
    // to a variant runtime of the same database.
    const sequelize = User.sequelize!;
    const patient = await app.patient();
    const statements: { sql: string; bind: unknown[] }[] = [];
    const hook = 'record-login-statements';
    sequelize.addHook('afterQuery', hook, (options, query) => {
      // AbstractQuery's typings omit the statement it ran; the instance carries it.
      const { sql } = query as unknown as { sql?: string };
      if (sql && /FROM "users"/.test(sql) && /"email"/.test(sql))
        statements.push({ sql, bind: (options.bind as unknown[] | undefined) ?? [] });
    });
    try {
      await app
        .http()
        .post('/v1/auth/login')
        .send({ email: patient.email, password: patient.password })
        .expect(200);
    } finally {
      sequelize.removeHook('afterQuery', hook);
    }

    expect(statements, 'the login reads its account by email').to.not.be.empty;
    for (const { sql, bind } of statements) {
      const scans = (await planWithoutSeqScan(sequelize, sql, bind)).filter(
        (node) => node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'users',
      );
      expect(scans, sql).to.be.empty;
    }
  });
});
