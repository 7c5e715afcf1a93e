import type { Sequelize } from 'sequelize';
import { QueryTypes } from 'sequelize';

export interface ColumnInfo {
  readonly table: string;
  readonly column: string;
  readonly type: string;
  readonly nullable: boolean;
}

export interface ForeignKeyInfo {
  readonly table: string;
  readonly column: string;
  readonly referencedTable: string;
  readonly referencedColumn: string;
  readonly onDelete: string;
}

const APPLICATION_TABLES = `
  SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'schema_migrations'`;

export async function columns(sequelize: Sequelize): Promise<ColumnInfo[]> {
  const rows = await sequelize.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    udt_name: string;
    is_nullable: string;
  }>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name IN (${APPLICATION_TABLES}) ORDER BY table_name, ordinal_position`,
    { type: QueryTypes.SELECT },
  );
  return rows.map((row) => ({
    table: row.table_name,
    column: row.column_name,
    type: row.data_type === 'ARRAY' ? `${row.udt_name.slice(1)}[]` : row.data_type,
    nullable: row.is_nullable === 'YES',
  }));
}

export async function foreignKeys(sequelize: Sequelize): Promise<ForeignKeyInfo[]> {
  const rows = await sequelize.query<{
    table: string;
    column: string;
    ref_table: string;
    ref_column: string;
    on_delete: string;
  }>(
    `SELECT src.relname AS table, a.attname AS column, ref.relname AS ref_table, ra.attname AS ref_column,
            CASE con.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'r' THEN 'RESTRICT' WHEN 'n' THEN 'SET NULL'
                                 WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END AS on_delete
     FROM pg_constraint con
     JOIN pg_class src ON src.oid = con.conrelid
     JOIN pg_class ref ON ref.oid = con.confrelid
     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
     JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = con.confkey[1]
     WHERE con.contype = 'f' AND src.relnamespace = 'public'::regnamespace AND NOT src.relispartition`,
    { type: QueryTypes.SELECT },
  );
  return rows.map((row) => ({
    table: row.table,
    column: row.column,
    referencedTable: row.ref_table,
    referencedColumn: row.ref_column,
    onDelete: row.on_delete,
  }));
}

/** Everything a migration can create, as text, in a stable order: two equal snapshots are one schema. */
export async function schemaSnapshot(sequelize: Sequelize): Promise<string[]> {
  const queries = [
    `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
       FROM information_schema.columns WHERE table_schema = 'public'`,
    `SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace`,
    `SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'`,
    `SELECT 'function ' || p.proname || ' ' || md5(pg_get_functiondef(p.oid))
       FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f'`,
    `SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal`,
    `SELECT 'relation ' || relname || ' ' || relkind::text FROM pg_class WHERE relnamespace = 'public'::regnamespace`,
    `SELECT 'role ' || rolname FROM pg_roles WHERE rolname LIKE 'carewatch%'`,
  ];
  const lines: string[] = [];
  for (const query of queries) {
    const rows = await sequelize.query<{ line: string }>(`SELECT line FROM (${query}) AS q(line)`, {
      type: QueryTypes.SELECT,
    });
    lines.push(...rows.map((row) => row.line));
  }
  return lines.sort();
}
