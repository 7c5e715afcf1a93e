/**
 * What auditing costs a PHI read: one run serves the same patient read with and without `audited(...)`
 * (the sealer running, as in production) and drives both with autocannon, alternating, then prints
 * p50/p95/p99 latency, throughput and the audited/plain ratios.
 *
 *   npm run bench:audit            (BENCH_ADMIN_URL, BENCH_DURATION_S, BENCH_CONNECTIONS to adjust)
 *
 * The server runs in a child process so that the load generator does not share its event loop.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import autocannon from 'autocannon';
import type { Context } from 'koa';
import { Client } from 'pg';
import { QueryTypes } from 'sequelize';
import { createMigrator } from '../db/migrator';
import { createApp } from '../service/src/app';
import { audited } from '../service/src/audit/middleware';
import { fromParam } from '../service/src/audit/subject';
import { createAuditTrail } from '../service/src/audit/trail';
import { loadConfig } from '../service/src/config';
import { createLogger } from '../service/src/observability/logger';
import { createMetrics } from '../service/src/observability/metrics';
import { createDatabase } from '../service/src/platform/db';
import { percentile } from './percentile';

const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PATIENTS = 2000;
const DATABASE = 'carewatch_bench_audit';

function databaseUrl(): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

/** The server side: the real createApp, one audited and one plain route over the same raw-SQL read. */
async function serve(): Promise<void> {
  const config = loadConfig({
    NODE_ENV: 'test',
    AUDIT_SEAL_INTERVAL_MS: '1000',
    API_RATE_LIMIT_POINTS: '100000000',
  });
  const metrics = createMetrics();
  const logger = createLogger({ level: 'error', stream: new PassThrough() });
  const sequelize = createDatabase({ url: databaseUrl(), poolMax: 10, statementTimeoutMs: 10_000 }, metrics);
  const audit = createAuditTrail(sequelize, config, metrics, logger);
  await audit.start();

  const readPatient = async (ctx: Context) => {
    const [patient] = await sequelize.query(
      `SELECT user_id AS id, given_name AS "givenName", family_name AS "familyName", date_of_birth AS "dateOfBirth", phone
       FROM patients WHERE user_id = $1`,
      { bind: [...fromParam('id')(ctx)], type: QueryTypes.SELECT },
    );
    ctx.body = patient;
  };
  const router = new Router({ prefix: '/bench' });
  router.use(async (ctx, next) => {
    ctx.state.auth = {
      userId: '00000000-0000-4000-8000-000000000001',
      role: 'provider',
      sessionId: 'bench',
      aal: 'aal2',
    };
    await next();
  });
  router.get('/plain/patients/:id', readPatient);
  router.get(
    '/audited/patients/:id',
    audited({ action: 'read', resourceType: 'Patient', patientIds: fromParam('id') }),
    readPatient,
  );
  const app = createApp({
    config,
    logger,
    metrics,
    isReady: () => Promise.resolve({ degraded: [] }),
    recordAuditEvent: audit.record,
    apiRouters: [router],
  });
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  });
  process.once('disconnect', () => {
    server.close();
    void audit.stop().then(() => sequelize.close());
  });
}

async function prepareDatabase(): Promise<string[]> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  const sequelize = createDatabase({ url: databaseUrl(), poolMax: 2, statementTimeoutMs: 0 });
  await createMigrator(sequelize, databaseUrl()).up();
  await sequelize.query(
    `WITH made AS (INSERT INTO users (email, role) SELECT 'bench' || n || '@example.test', 'patient' FROM generate_series(1, $1) n RETURNING id)
     INSERT INTO patients (user_id, given_name, family_name, date_of_birth, phone)
     SELECT id, 'Given', 'Family', DATE '1970-01-01', '+15550000000' FROM made`,
    { bind: [PATIENTS] },
  );
  const rows = await sequelize.query<{ id: string }>('SELECT user_id AS id FROM patients', {
    type: QueryTypes.SELECT,
  });
  await sequelize.close();
  return rows.map((row) => row.id);
}

interface Sample {
  readonly times: number[];
  seconds: number;
  errors: number;
}

function load(
  port: number,
  route: string,
  ids: readonly string[],
  seconds: number,
  sample?: Sample,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            method: 'GET',
            setupRequest: (request) => ({
              ...request,
              path: `/v1/bench/${route}/patients/${ids[Math.floor(Math.random() * ids.length)]}`,
            }),
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        if (sample) {
          sample.seconds += seconds;
          sample.errors += result.non2xx + result.errors;
        }
        resolve();
      },
    );
    if (sample)
      instance.on('response', (_client, _status, _bytes, responseTime) => sample.times.push(responseTime));
  });
}

function summary(sample: Sample) {
  return {
    p50: percentile(sample.times, 50),
    p95: percentile(sample.times, 95),
    p99: percentile(sample.times, 99),
    rps: sample.times.length / sample.seconds,
    errors: sample.errors,
  };
}

async function startServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(__filename, ['serve'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, port };
}

async function bench(): Promise<void> {
  const ids = await prepareDatabase();
  const { child, port } = await startServer();
  const samples = {
    plain: { times: [], seconds: 0, errors: 0 } as Sample,
    audited: { times: [], seconds: 0, errors: 0 } as Sample,
  };
  await load(port, 'plain', ids, 3);
  await load(port, 'audited', ids, 3);
  // Alternating halves, so drift (caches, autovacuum, the machine) falls on both modes alike.
  for (const mode of ['plain', 'audited', 'plain', 'audited'] as const)
    await load(port, mode, ids, DURATION_S / 2, samples[mode]);
  child.disconnect();

  const plain = summary(samples.plain);
  const withAudit = summary(samples.audited);
  const format = (n: number) => n.toFixed(2);
  console.log(
    `PHI read, ${CONNECTIONS} connections, ${DURATION_S} s per mode (after 3 s warm-up each); load average ${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores`,
  );
  console.log('mode      p50 ms   p95 ms   p99 ms   req/s    errors');
  for (const [name, s] of [
    ['plain', plain],
    ['audited', withAudit],
  ] as const) {
    console.log(
      `${name.padEnd(9)} ${format(s.p50).padStart(6)}   ${format(s.p95).padStart(6)}   ${format(s.p99).padStart(6)}   ${s.rps.toFixed(0).padStart(6)}   ${s.errors}`,
    );
  }
  console.log(
    `ratio audited/plain: p50 ${format(withAudit.p50 / plain.p50)}x, p95 ${format(withAudit.p95 / plain.p95)}x, throughput ${format(withAudit.rps / plain.rps)}x`,
  );

  const sequelize = createDatabase({ url: databaseUrl(), poolMax: 2, statementTimeoutMs: 0 });
  const config = loadConfig({ NODE_ENV: 'test' });
  const trail = createAuditTrail(
    sequelize,
    config,
    createMetrics(),
    createLogger({ level: 'error', stream: new PassThrough() }),
  );
  // Seal everything before verifying (a round may wait for transactions elsewhere on the server).
  let verified = await trail.verify();
  while (verified.ok && verified.unsealedEvents > 0) {
    await trail.sealer.sealOnce();
    verified = await trail.verify();
  }
  console.log(
    `audit events written: ${verified.checkedEvents}; chain verified: ${verified.ok} (${verified.sealedBlocks} blocks, ${verified.unsealedEvents} unsealed)`,
  );
  await sequelize.close();
}

(process.argv[2] === 'serve' ? serve() : bench()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
