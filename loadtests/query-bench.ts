/**
 * Query benchmark of the clinical list and report use cases on a seeded database.
 *
 *   npx tsx loadtests/query-bench.ts [--runs 200] [--patients 10000] [--providers 200] [--keep]
 *
 * Creates a scratch database on BENCH_DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/postgres),
 * migrates and seeds it, runs every use case `--runs` times with random actors, prints p50/p95 per use
 * case, then EXPLAIN (ANALYZE) of each statement the use case ran: list queries must not scan
 * consultations or prescriptions sequentially. Exits 1 if one does or a p95 exceeds 100 ms.
 */
import { parseArgs } from 'node:util';
import { QueryTypes, Sequelize } from 'sequelize';
import { createMigrator } from '../db/migrator';
import { createClinicalServices } from '../service/src/clinical-services';
import { loadConfig } from '../service/src/config';
import { initModels } from '../service/src/models';
import { createLogger } from '../service/src/observability/logger';
import { createMetrics } from '../service/src/observability/metrics';
import type { Actor } from '../service/src/platform/actor';
import { createCache } from '../service/src/platform/cache';
import type { Page, PageRequest } from '../service/src/platform/keyset-page';
import { createFieldCipher } from '../service/src/platform/field-cipher';
import { asSuperuser } from '../service/test/support/roles';
import { seedClinicalData } from './bench-seed';
import { explainStatements, type Statement } from './explain';
import { percentile } from './percentile';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    patients: { type: 'string', default: '10000' },
    providers: { type: 'string', default: '200' },
    keep: { type: 'boolean', default: false },
  },
});
const TARGET_P95_MS = 100;

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

interface UseCase {
  readonly list: boolean;
  readonly run: () => Promise<unknown>;
}

/**
 * A list as two use cases, `label` and `label, page 2`, each by a random actor: the first page of `size`,
 * and the second two-row page, so that the cursor's condition is measured too.
 */
function firstAndSecondPage<A>(
  label: string,
  actors: readonly A[],
  size: PageRequest,
  list: (actor: A, page: PageRequest) => Promise<Page<unknown>>,
): Record<string, UseCase> {
  return {
    [label]: { list: true, run: () => list(pick(actors), size) },
    [`${label}, page 2`]: {
      list: true,
      run: async () => {
        const actor = pick(actors);
        const first = await list(actor, { limit: 2 });
        return list(actor, { limit: 2, cursor: first.nextCursor ?? undefined });
      },
    },
  };
}

async function main(): Promise<number> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `carewatch_bench_${process.pid}`;
  await asSuperuser(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();

  let recording: Statement[] | undefined;
  const sequelize = new Sequelize(url, {
    dialect: 'postgres',
    pool: { max: 4 },
    define: { underscored: true, timestamps: true },
    // Without `benchmark`, Sequelize passes the query options (with the bound values) second.
    logging: ((sql: string, options?: { bind?: unknown[] }) => {
      recording?.push({ sql: sql.replace(/^Execut\w+ \([^)]*\):\s*/, ''), bind: options?.bind ?? [] });
    }) as (sql: string) => void,
  });
  try {
    const config = loadConfig({ NODE_ENV: 'development' });
    const cipher = createFieldCipher(config.encryption.keys, config.encryption.activeKeyId);
    initModels(sequelize, cipher);
    await createMigrator(sequelize, url).up();
    const seedStarted = Date.now();
    await seedClinicalData(sequelize, {
      patients: Number(flags.patients),
      providers: Number(flags.providers),
      consultationsPerPatient: 5,
    });
    const [counts] = await sequelize.query<Record<string, number>>(
      `SELECT (SELECT count(*) FROM patients)::int AS patients, (SELECT count(*) FROM providers)::int AS providers,
              (SELECT count(*) FROM consultations)::int AS consultations, (SELECT count(*) FROM prescriptions)::int AS prescriptions`,
      { type: QueryTypes.SELECT },
    );
    console.log(`seeded in ${Date.now() - seedStarted} ms:`, counts);

    const metrics = createMetrics();
    const logger = createLogger({ level: 'error' });
    const services = createClinicalServices({
      sequelize,
      metrics,
      // The queries are measured, not a cache: in-process, as without REDIS_URL.
      cache: createCache({ ...config.redis, url: undefined, sentinels: [] }, metrics, logger),
      logger,
      config,
      cipher,
      onBackgroundError: (error) => console.error(error),
    });
    const ids = async (sql: string) =>
      (await sequelize.query<{ id: string }>(sql, { type: QueryTypes.SELECT })).map((row) => row.id);
    const patients: Actor[] = (await ids('SELECT user_id AS id FROM patients')).map((userId) => ({
      userId,
      role: 'patient',
    }));
    const providers: Actor[] = (await ids('SELECT user_id AS id FROM providers')).map((userId) => ({
      userId,
      role: 'provider',
    }));
    const admin: Actor = { userId: '00000000-0000-4000-8000-000000000000', role: 'admin' };
    const assigned = await sequelize.query<{ id: string; patient: string; provider: string }>(
      `SELECT id, patient_id AS patient, provider_id AS provider FROM consultations
        WHERE provider_id IS NOT NULL ORDER BY random() LIMIT 1000`,
      { type: QueryTypes.SELECT },
    );
    const today = new Date().toISOString().slice(0, 10);
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
    const month = { from: daysAgo(30), to: today };
    const year = { from: daysAgo(365), to: today };
    const page = { limit: 20 };

    const useCases: Record<string, UseCase> = {
      'patient: own profile': { list: false, run: () => services.patients.getOwnProfile(pick(patients)) },
      ...firstAndSecondPage('patient: list consultations', patients, page, (patient, next) =>
        services.patients.listOwnConsultations(patient, next),
      ),
      'patient: list prescriptions': {
        list: true,
        run: () => services.patients.listOwnPrescriptions(pick(patients), page),
      },
      'provider: list written prescriptions': {
        list: true,
        run: () => services.prescriptions.listMine(pick(providers), page),
      },
      ...firstAndSecondPage('provider: list assigned consultations', providers, page, (provider, next) =>
        services.providers.listOwnConsultations(provider, next),
      ),
      'provider: list assigned consultations, completed': {
        list: true,
        run: () => services.providers.listOwnConsultations(pick(providers), { ...page, status: 'completed' }),
      },
      'provider: queue': { list: true, run: () => services.providers.queue(pick(providers), page) },
      'provider: read assigned patient': {
        list: true,
        run: () => {
          const row = pick(assigned);
          return services.providers
            .getPatientForProvider({ userId: row.provider, role: 'provider' }, row.patient)
            .catch(() => null);
        },
      },
      'consultation: read by its patient': {
        list: false,
        run: () => {
          const row = pick(assigned);
          return services.consultations.get({ userId: row.patient, role: 'patient' }, row.id);
        },
      },
      'admin: volume by day (30 days)': { list: false, run: () => services.admin.volumeByDay(admin, month) },
      'admin: specialty summary (30 days)': {
        list: false,
        run: () => services.admin.specialtySummary(admin, month),
      },
      'admin: provider response (30 days)': {
        list: false,
        run: () => services.admin.providerResponseTimes(admin, month),
      },
      'admin: volume by day (365 days)': { list: false, run: () => services.admin.volumeByDay(admin, year) },
      'admin: specialty summary (365 days)': {
        list: false,
        run: () => services.admin.specialtySummary(admin, year),
      },
      'admin: provider response (365 days, dermatology)': {
        list: false,
        run: () => services.admin.providerResponseTimes(admin, { ...year, specialty: 'dermatology' }),
      },
    };

    let failed = false;
    console.log(
      `\n${'use case'.padEnd(50)} ${'runs'.padStart(5)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}  plan`,
    );
    for (const [label, useCase] of Object.entries(useCases)) {
      for (let i = 0; i < 10; i += 1) await useCase.run(); // warm-up: connections, plans, JIT
      const timings: number[] = [];
      for (let i = 0; i < Number(flags.runs); i += 1) {
        const started = process.hrtime.bigint();
        await useCase.run();
        timings.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      recording = [];
      await useCase.run();
      const statements = recording;
      recording = undefined;
      const plan = await explainStatements(sequelize, statements);
      const p95 = percentile(timings, 95);
      const seqScan = useCase.list && plan.sequentialScans.length > 0;
      failed ||= seqScan || p95 > TARGET_P95_MS;
      console.log(
        `${label.padEnd(50)} ${String(timings.length).padStart(5)} ${percentile(timings, 50).toFixed(2).padStart(8)} ${p95.toFixed(2).padStart(8)}  ${seqScan ? 'SEQ SCAN on ' : ''}${plan.summary}`,
      );
    }
    console.log(
      failed
        ? '\nFAILED: a list query scans sequentially or a p95 exceeds the target'
        : `\nall p95 < ${TARGET_P95_MS} ms; no sequential scan in list queries`,
    );
    return failed ? 1 : 0;
  } finally {
    await sequelize.close();
    if (!flags.keep)
      await asSuperuser(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    else console.log(`kept database ${name}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
