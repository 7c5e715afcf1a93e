import type { Migration } from './migration';

/**
 * The rules of db/migrations/README.md as checks over a migration's statements. They are read from the SQL
 * text, so they are conservative: a migration that needs an exception says so in its own declaration
 * (`contract`), never by weakening a pattern here.
 */
const LONGEST_LOCK_WAIT_MS = 1_000;

// Comments and string literals removed, so that words in them do not count as statements.
const code = (sql: string) =>
  sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/\s+/g, ' ');

function milliseconds(setting: string): number {
  const match = /^(\d+)\s*(ms|s|min)?$/.exec(setting.trim());
  if (!match) return Number.POSITIVE_INFINITY;
  const factor = { ms: 1, s: 1_000, min: 60_000 }[(match[2] ?? 'ms') as 'ms' | 's' | 'min'];
  return Number(match[1]) * factor;
}

const createdTables = (sql: string) =>
  new Set(
    [...sql.matchAll(/\bCREATE TABLE (?:IF NOT EXISTS )?(\w+)/gi)].map(([, table = '']) =>
      table.toLowerCase(),
    ),
  );

/** What the migration does to tables that exist already (and so hold production rows), statement by statement. */
function onExistingTables(sql: string): string[] {
  const problems: string[] = [];
  const created = createdTables(sql);
  const existing = (table: string | undefined) => table !== undefined && !created.has(table.toLowerCase());
  for (const [statement, table] of sql.matchAll(
    /\bCREATE (?:UNIQUE )?INDEX (?!CONCURRENTLY)\w+ ON (?:ONLY )?(\w+)/gi,
  ))
    if (existing(table))
      problems.push(
        `builds an index on existing table ${table} in a transaction (use concurrentIndexMigration): ${statement}`,
      );
  for (const [statement, table] of sql.matchAll(
    /\bALTER TABLE (?:ONLY )?(\w+) ADD CONSTRAINT \w+ (?:FOREIGN KEY|CHECK)[^;]*/gi,
  ))
    if (existing(table) && !/\bNOT VALID\s*$/i.test(statement))
      problems.push(
        `validates a new constraint on existing table ${table} under lock (add it NOT VALID, VALIDATE later): ${statement}`,
      );
  for (const [statement, table] of sql.matchAll(
    /\bALTER TABLE (?:ONLY )?(\w+) ADD COLUMN [^;,]*\bNOT NULL\b[^;,]*/gi,
  ))
    if (existing(table) && !/\bDEFAULT\b/i.test(statement))
      problems.push(`adds a NOT NULL column without a default to existing table ${table}: ${statement}`);
  return problems;
}

/** Drops and renames: allowed only for the columns the migration declares as its contract step. */
function destructive(sql: string, migration: Migration): string[] {
  const problems: string[] = [];
  const declared = new Set(migration.contract.map((column) => column.toLowerCase()));
  for (const [statement, table = '', column = ''] of sql.matchAll(
    /\bALTER TABLE (?:ONLY )?(\w+) (?:DROP|RENAME) COLUMN (?:IF EXISTS )?(\w+)/gi,
  ))
    if (!declared.has(`${table}.${column}`.toLowerCase()))
      problems.push(`drops or renames a column not declared in its contract: ${statement}`);
  for (const [statement] of sql.matchAll(
    /\bALTER TABLE (?:ONLY )?\w+ ALTER COLUMN \w+ (?:SET DATA )?TYPE\b/gi,
  ))
    problems.push(
      `changes a column's type in place (add a new column, backfill, switch, then drop): ${statement}`,
    );
  for (const [statement] of sql.matchAll(/\bALTER TABLE (?:ONLY )?\w+ RENAME TO\b|\bDROP TABLE\b/gi))
    problems.push(
      `drops or renames a table (expand/contract: stop reading it first, then drop it): ${statement}`,
    );
  return problems;
}

/** Everything wrong with `migration`; `applied` migrations predate the rules and are checked for timeouts only. */
export function migrationProblems(migration: Migration, { applied }: { applied: boolean }): string[] {
  const problems: string[] = [];
  const { up } = migration.statements;
  const scope = migration.transactional ? 'LOCAL' : 'SESSION';
  if (
    up[0] !== `SET ${scope} lock_timeout = '${migration.timeouts.lockTimeout}'` ||
    !up[1]?.startsWith(`SET ${scope} statement_timeout`)
  )
    problems.push(`does not start by setting lock_timeout and statement_timeout (SET ${scope})`);
  if (milliseconds(migration.timeouts.lockTimeout) > LONGEST_LOCK_WAIT_MS)
    problems.push(`lock_timeout ${migration.timeouts.lockTimeout} is longer than ${LONGEST_LOCK_WAIT_MS} ms`);
  const sql = code(up.slice(2).join(';\n'));
  if (migration.transactional && /\bCONCURRENTLY\b/i.test(sql))
    problems.push('uses CONCURRENTLY inside a transaction (use concurrentIndexMigration)');
  if (!migration.transactional) {
    for (const statement of up.slice(2).map(code))
      if (!/^\s*(CREATE (UNIQUE )?INDEX CONCURRENTLY|DROP INDEX CONCURRENTLY|DO \$\$)/i.test(statement))
        problems.push(
          `runs outside a transaction but is not a concurrent index statement: ${statement.slice(0, 80)}`,
        );
  }
  if (applied) return problems;
  return [...problems, ...onExistingTables(sql), ...destructive(sql, migration)];
}

/** A contract step may drop only columns that no model of the current code maps any more. */
export function contractProblems(migration: Migration, mappedColumns: ReadonlySet<string>): string[] {
  return migration.contract
    .filter((column) => mappedColumns.has(column.toLowerCase()))
    .map((column) => `drops ${column}, which the current code still reads`);
}
