/** One optional filter: its condition given the placeholder of its value, and the value (undefined: unused). */
export type BoundCondition = readonly [clause: (placeholder: string) => string, value: unknown];

/**
 * The conditions of the filters that have a value, AND-ed, every value bound from $1 on (never spliced
 * into the SQL); `true` when none applies, so the result always fits after WHERE.
 */
export function boundConditions(conditions: readonly BoundCondition[]): { sql: string; bind: unknown[] } {
  const clauses: string[] = [];
  const bind: unknown[] = [];
  for (const [clause, value] of conditions) {
    if (value === undefined) continue;
    bind.push(value);
    clauses.push(clause(`$${bind.length}`));
  }
  return { sql: clauses.length ? clauses.join(' AND ') : 'true', bind };
}
