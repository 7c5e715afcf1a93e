/**
 * PostgreSQL's CPU per audit row, by formulation of the insert trigger and by what else each row pays for
 * (`quiet npx tsx loadtests/audit-trigger-cost.ts [--statements 2000] [--rounds 4] [--keep]`).
 *
 * Creates and migrates a scratch database on BENCH_DATABASE_URL's server (default the local one), then
 * sends 11-row INSERTs shaped like the recorder's group-committed PHI-read events (its 13 bound values
 * per row and casts, a named prepared statement, autocommit) on one connection, and reads that backend's
 * CPU time (user + system) from /proc before and after: the server's whole cost, parse to commit. The
 * variants run in turns, `--rounds` times, so a drift of the machine falls on all of them alike. Each
 * variant is a trigger function (installed with CREATE OR REPLACE before its turn) and a table: the real
 * audit_events, or a copy of it without its secondary indexes, its GIN index, its CHECKs or its partitions.
 * Then EXPLAIN ANALYZE of 200 statements per variant gives the trigger's own time per row, median.
 * The database server must be on this machine (the backend's /proc entry is read).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { createMigrator } from '../db/migrator';
import { createDatabase } from '../service/src/platform/db';
import { asSuperuser } from '../service/test/support/roles';
import { percentile } from './percentile';
import { TRIGGER_FIELDS } from '../db/migrations/0018_audit_hash_inline';

const { values: flags } = parseArgs({
  options: {
    statements: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
    /** Only the variants whose names match this regular expression (the reference lines always run). */
    only: { type: 'string', default: '' },
  },
});
const ROWS = 11;
const TICKS_PER_SECOND = 100;

const hashOf = (text: string) => `encode(sha256(convert_to(${text}, 'UTF8')), 'hex')`;
const sized = (field: string) => `coalesce(octet_length(${field})::text || ':' || ${field}, '-')`;

/** The hash expression of each formulation, all giving the same bytes (checked before timing). */
const HASHES: Record<string, string> = {
  'audit_canonical (0006)': hashOf(`audit_canonical(ARRAY[${TRIGGER_FIELDS.join(', ')}])`),
  'inline CASE': hashOf(
    TRIGGER_FIELDS.map(
      (f) => `CASE WHEN ${f} IS NULL THEN '-' ELSE octet_length(${f})::text || ':' || ${f} END`,
    ).join(` || '|' || `),
  ),
  'inline coalesce': hashOf(TRIGGER_FIELDS.map(sized).join(` || '|' || `)),
  'concat_ws of coalesce': hashOf(`concat_ws('|', ${TRIGGER_FIELDS.map(sized).join(', ')})`),
  'array_to_string of coalesce': hashOf(
    `array_to_string(ARRAY[${TRIGGER_FIELDS.map(sized).join(', ')}], '|')`,
  ),
  'no hash (constant)': `repeat('0', 64)`,
};

const triggerFunction = (hash: string) => `
  CREATE OR REPLACE FUNCTION audit_events_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_current_xact_id();
    NEW.seq := nextval('audit_events_seq');
    NEW.content_hash := ${hash};
    RETURN NEW;
  END $$;`;

/** Copies of audit_events that lack one thing each, with the same trigger; their rows land in this month. */
const COPIES: Record<string, string> = {
  'without secondary indexes': `CREATE TABLE bench_no_index (LIKE audit_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
      PRIMARY KEY (occurred_at, seq)) PARTITION BY RANGE (occurred_at)`,
  'without the GIN index': `CREATE TABLE bench_no_gin (LIKE audit_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
      PRIMARY KEY (occurred_at, seq)) PARTITION BY RANGE (occurred_at);
    CREATE INDEX ON bench_no_gin (seq); CREATE INDEX ON bench_no_gin (actor_user_id, occurred_at);
    CREATE INDEX ON bench_no_gin (action, occurred_at)`,
  'without CHECKs': `CREATE TABLE bench_no_check (LIKE audit_events INCLUDING DEFAULTS INCLUDING INDEXES)
      PARTITION BY RANGE (occurred_at)`,
  'not partitioned': `CREATE TABLE bench_unpartitioned (LIKE audit_events INCLUDING ALL)`,
  // The same rule as CHECK (content_hash ~ '^[0-9a-f]{64}$'), whose bounded repetition the regex engine
  // runs slowly (about 5 µs a row).
  'content_hash CHECK without {64}': `CREATE TABLE bench_hash_check (LIKE audit_events INCLUDING ALL)
      PARTITION BY RANGE (occurred_at);
    ALTER TABLE bench_hash_check DROP CONSTRAINT audit_events_content_hash_check;
    ALTER TABLE bench_hash_check ADD CHECK (length(content_hash) = 64 AND content_hash !~ '[^0-9a-f]')`,
};
const tableOf = (copy: string) => /CREATE TABLE (\w+)/.exec(copy)![1]!;

interface Variant {
  readonly name: string;
  readonly table: string;
  readonly hash: string;
  /** Rows per statement: 11 but for the one-row variant, which tells a row's cost from a statement's. */
  readonly rows?: number;
}
const CURRENT = HASHES['audit_canonical (0006)']!;
const VARIANTS: Variant[] = [
  ...Object.entries(HASHES).map(([name, hash]) => ({ name, table: 'audit_events', hash })),
  ...Object.entries(COPIES).map(([name, copy]) => ({
    name: `0006, ${name}`,
    table: tableOf(copy),
    hash: CURRENT,
  })),
  { name: '0006, one-row statements', table: 'audit_events', hash: CURRENT, rows: 1 },
  { name: 'inline CASE, one-row statements', table: 'audit_events', hash: HASHES['inline CASE']!, rows: 1 },
].filter(
  (v) =>
    v.name === 'audit_canonical (0006)' ||
    v.name.startsWith('0006, one-row') ||
    new RegExp(flags.only).test(v.name),
);

const COLUMNS = `actor_user_id, actor_role, action, event_type, resource_type, resource_ids, patient_ids, outcome,
  request_id, trace_id, source_ip, user_agent, details`;
const CASTS = ['', '', '', '', '', '::text[]', '::uuid[]', '', '', '', '', '', '::jsonb'];
const insertInto = (table: string, rows: number) =>
  `INSERT INTO ${table} (${COLUMNS}) VALUES ${Array.from(
    { length: rows },
    (_, row) => `(${CASTS.map((cast, i) => `$${row * CASTS.length + i + 1}${cast}`).join(', ')})`,
  ).join(', ')} RETURNING seq::text AS seq`;

/** The values of a patient's read of their own record, as the audit middleware records it. */
function phiReadRow(): unknown[] {
  const [patient, request, session] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  return [
    patient,
    'patient',
    'read',
    'phi.read',
    'Patient',
    [patient],
    [patient],
    'success',
    request,
    crypto.randomUUID().replaceAll('-', ''),
    '::ffff:127.0.0.1',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
    JSON.stringify({ sessionId: session, aal: 'aal1' }),
  ];
}
const statementValues = (rows: number) => Array.from({ length: rows }, phiReadRow).flat();

function backendTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function install(client: Client, variant: Variant): Promise<void> {
  await client.query(triggerFunction(variant.hash));
}

/** Every formulation must hash exactly like 0006's audit_canonical, on varied rows, before it is timed. */
async function checkSameHashes(client: Client): Promise<void> {
  const rows = `(VALUES (1::bigint, now(), NULL::uuid, 'admin', 'read', 'phi.read', 'Patient', '{}'::text[], '{}'::uuid[],
      'denied', NULL, NULL, NULL, NULL, '{}'::jsonb),
    (2, now(), gen_random_uuid(), 'patient', 'list', 'x', 'Y', '{"a b","ü€😀",""}', ARRAY[gen_random_uuid()],
      'success', 'r', 't', '::1', repeat('Zürich 😀|:-', 40), '{"k":"é","n":[1,null]}')) AS
    r(seq, occurred_at, actor_user_id, actor_role, action, event_type, resource_type, resource_ids, patient_ids,
      outcome, request_id, trace_id, source_ip, user_agent, details)`;
  const select = Object.entries(HASHES)
    .filter(([name]) => !name.startsWith('no hash'))
    .map(([name, hash]) => `${hash.replaceAll('NEW.', 'r.')} AS "${name}"`);
  const { rows: hashes } = await client.query(`SELECT ${select.join(', ')} FROM ${rows}`);
  for (const row of hashes as Record<string, string>[])
    if (new Set(Object.values(row)).size !== 1)
      throw new Error(`formulations disagree: ${JSON.stringify(row)}`);
}

async function timeVariant(
  client: Client,
  pid: number,
  variant: Variant,
  statements: number,
): Promise<number> {
  await install(client, variant);
  const rows = variant.rows ?? ROWS;
  const query = { name: `bench_${variant.table}_${rows}`, text: insertInto(variant.table, rows) };
  for (let i = 0; i < 100; i++) await client.query({ ...query, values: statementValues(rows) });
  const before = backendTicks(pid);
  for (let i = 0; i < statements; i++) await client.query({ ...query, values: statementValues(rows) });
  return (((backendTicks(pid) - before) / TICKS_PER_SECOND) * 1e6) / statements;
}

/** Medians over EXPLAIN ANALYZE runs: the trigger's time per row, and the execution time per row. */
async function explainVariant(client: Client, variant: Variant) {
  await install(client, variant);
  const rowCount = variant.rows ?? ROWS;
  const triggerPerRow: number[] = [];
  const executionPerRow: number[] = [];
  for (let i = 0; i < 200; i++) {
    const { rows } = await client.query<{
      'QUERY PLAN': [{ 'Execution Time': number; Triggers: { Time: number; Calls: number }[] }];
    }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${insertInto(variant.table, rowCount)}`, statementValues(rowCount));
    const [plan] = rows[0]!['QUERY PLAN'];
    const trigger = plan.Triggers.reduce((sum, t) => sum + t.Time, 0);
    triggerPerRow.push((trigger * 1000) / rowCount);
    executionPerRow.push((plan['Execution Time'] * 1000) / rowCount);
  }
  return { trigger: percentile(triggerPerRow, 50), execution: percentile(executionPerRow, 50) };
}

async function main(): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `carewatch_bench_trigger_${process.pid}`;
  await asSuperuser(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
  const client = new Client({ connectionString: url });
  try {
    const sequelize = createDatabase({ url, poolMax: 2, statementTimeoutMs: 0 });
    await createMigrator(sequelize, url).up();
    await sequelize.close();
    await client.connect();
    await checkSameHashes(client);
    const month = `FOR VALUES FROM (date_trunc('month', now())) TO (date_trunc('month', now()) + interval '1 month')`;
    for (const copy of Object.values(COPIES)) {
      await client.query(copy);
      const table = tableOf(copy);
      if (copy.includes('PARTITION BY'))
        await client.query(`CREATE TABLE ${table}_now PARTITION OF ${table} ${month}`);
      await client.query(`CREATE TRIGGER bench_assign BEFORE INSERT ON ${table}
        FOR EACH ROW EXECUTE FUNCTION audit_events_before_insert()`);
    }
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = rows[0]!.pid;
    const statements = Number(flags.statements);
    const cpu = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
    for (let round = 1; round <= Number(flags.rounds); round++)
      for (const variant of VARIANTS)
        cpu.get(variant.name)!.push(await timeVariant(client, pid, variant, statements));
    console.log(
      `PostgreSQL backend CPU, ${statements} statements of ${ROWS} rows per turn, ${flags.rounds} turns:`,
    );
    console.log(
      'variant | CPU µs/statement (median of turns) | per row (/rows) | EXPLAIN ANALYZE: trigger µs/row, execution µs/row',
    );
    for (const variant of VARIANTS) {
      const perStatement = percentile(cpu.get(variant.name)!, 50);
      const explained = await explainVariant(client, variant);
      console.log(
        `${variant.name} | ${perStatement.toFixed(0)} (${cpu
          .get(variant.name)!
          .map((v) => v.toFixed(0))
          .join(', ')}) | ` +
          `${(perStatement / (variant.rows ?? ROWS)).toFixed(1)} | ${explained.trigger.toFixed(1)}, ${explained.execution.toFixed(1)}`,
      );
    }
    // A statement of 11 rows minus a statement of one, over 10: what one more row costs the server.
    const [eleven, one] = ['audit_canonical (0006)', '0006, one-row statements'].map((n) =>
      percentile(cpu.get(n)!, 50),
    );
    console.log(
      `one more row in a statement (0006): ${((eleven! - one!) / (ROWS - 1)).toFixed(1)} µs; a statement's own cost: ${(one! - (eleven! - one!) / (ROWS - 1)).toFixed(0)} µs`,
    );
  } finally {
    await client.end().catch(() => undefined);
    if (!flags.keep)
      await asSuperuser(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    else console.log(`kept database ${name}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
