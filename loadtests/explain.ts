import { QueryTypes, type Sequelize } from 'sequelize';

export interface Statement {
  readonly sql: string;
  readonly bind: unknown[];
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const CLINICAL_TABLES = new Set(['consultations', 'prescriptions']);

function* nodesOf(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* nodesOf(child);
}

/**
 * EXPLAIN (ANALYZE) of every SELECT a use case ran, with the same bound values: which indexes the plans
 * use and which clinical tables they read sequentially.
 */
export async function explainStatements(sequelize: Sequelize, statements: readonly Statement[]) {
  const scans = new Set<string>();
  const sequentialScans = new Set<string>();
  for (const { sql, bind } of statements.filter((statement) => /^\s*SELECT/i.test(statement.sql))) {
    const [row] = await sequelize.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
      { bind, type: QueryTypes.SELECT },
    );
    for (const node of nodesOf(row!['QUERY PLAN'][0]!.Plan)) {
      // Bitmap index scans name their index but not their table; their heap scan names the table.
      const target = node['Index Name'] ?? node['Relation Name'];
      if (!target) continue;
      scans.add(`${node['Node Type']} ${target}`);
      if (node['Node Type'] === 'Seq Scan' && CLINICAL_TABLES.has(target)) {
        sequentialScans.add(target);
      }
    }
  }
  return { summary: [...scans].join(', '), sequentialScans: [...sequentialScans] };
}
