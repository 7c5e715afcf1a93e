import { expect } from 'chai';
import { QueryTypes, Sequelize } from 'sequelize';
import { createMigrator } from '../db/migrator';
import { buildAllDashboards } from '../dashboards/src/expressions';
import { createTestDatabase, dropDatabase } from '../service/test/support/environment';
import { sharedRuntime } from '../service/test/support/runtime';
import {
  chartKinds,
  endpoints,
  imageProblems,
  readRunbooks,
  shellCommands,
  sqlStatements,
} from './src/runbook-commands';

// Issue 12, point 8: every command in every runbook works at 3 a.m. against what ships. SQL runs against
// a freshly migrated database (read-only, rolled back); shell commands are checked against the image
// layout (compiled dist/, production dependencies only) and the chart; endpoints against the router.

const runbooks = readRunbooks();

describe('runbooks', () => {
  const dashboardUids = new Set(buildAllDashboards().map((d) => d.uid));

  for (const { name, text } of runbooks) {
    it(`${name} names its dashboard, escalation and time limit`, () => {
      const dashboard = /^Dashboard: \[[^\]]+\]\(\/d\/([\w-]+)\)/m.exec(text)?.[1];
      expect(dashboard, 'a "Dashboard: [title](/d/<uid>)" line').to.be.a('string');
      expect(dashboardUids.has(dashboard), `dashboard ${dashboard} exists`).to.equal(true);
      expect(text).to.match(/Escalate to: \S/);
      expect(text).to.match(/Time limit: \S/);
      expect(text, 'an endpoint, not "the admin API"').not.to.match(
        /the (audit )?admin API(?![^\n]*`(GET|POST) \/)/,
      );
    });

    it(`${name}: every shell command exists in the shipped image and chart`, () => {
      const kinds = chartKinds();
      const problems = shellCommands(text).flatMap((c) => imageProblems(c, kinds).map((p) => `${c}: ${p}`));
      expect(problems).to.deep.equal([]);
    });
  }

  it('names only endpoints the service routes', async () => {
    const runtime = await sharedRuntime();
    const routes = runtime.routers.flatMap((router) =>
      router.stack.flatMap((layer) => layer.methods.map((method) => ({ method, regexp: layer.regexp }))),
    );
    const unknown = runbooks.flatMap(({ name, text }) =>
      endpoints(text)
        .filter(
          ({ method, path }) =>
            !routes.some(
              (r) =>
                r.method === method &&
                [path, path.replace(/^\/v1/, '')].some((p) => r.regexp.test(p.replace(/<[^>]+>/g, 'x'))),
            ),
        )
        .map(({ method, path }) => `${name}: ${method} ${path}`),
    );
    expect(unknown).to.deep.equal([]);
  });

  describe('SQL against a migrated database', () => {
    let url: string;
    let sequelize: Sequelize;

    before(async () => {
      url = await createTestDatabase('runbooks');
      sequelize = new Sequelize(url, { logging: false });
      await createMigrator(sequelize, url).up();
    });
    after(async () => {
      await sequelize?.close();
      if (url) await dropDatabase(url);
    });

    for (const { name, text } of runbooks)
      for (const [i, sql] of sqlStatements(text).entries())
        it(`${name} statement ${i + 1} runs read-only`, async () => {
          await sequelize.transaction(async (transaction) => {
            await sequelize.query('SET TRANSACTION READ ONLY', { transaction });
            await sequelize.query(sql, { type: QueryTypes.SELECT, transaction });
          });
        });
  });
});
