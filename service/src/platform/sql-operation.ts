/** The values of the `operation` label of the query-duration histogram: a fixed set, whatever the SQL. */
export const OPERATIONS = ['select', 'insert', 'update', 'delete', 'other'] as const;
export type Operation = (typeof OPERATIONS)[number];

const VERBS: ReadonlySet<string> = new Set(OPERATIONS.filter((operation) => operation !== 'other'));
const isVerb = (word: string): word is Operation => VERBS.has(word);
// Sequelize's log line when it benchmarks: "Executed (default): SELECT ..." (a connection id for a transaction).
const SEQUELIZE_PREFIX = /^Executed \([^)]*\):\s*/;
// One token: whitespace, a line comment, a string literal, a quoted identifier, a dollar-quoted string, a
// word, or any other single character. Block comments nest in PostgreSQL, so they are skipped apart.
const TOKEN =
  // eslint-disable-next-line security/detect-unsafe-regex -- reviewed: every repetition consumes distinct characters, so matching stays linear
  /\s+|--[^\n]*|'(?:[^']|'')*'|"(?:[^"]|"")*"|(\$(?:[A-Za-z_]\w*)?\$)[\s\S]*?\1|[A-Za-z_][\w$]*|[\s\S]/y;
// In a WITH clause a word after these is the name of a common table expression, even one named `update`.
const BEFORE_CTE_NAME: ReadonlySet<string> = new Set(['with', 'recursive', ',']);

function blockCommentEnd(sql: string, start: number): number {
  let depth = 0;
  for (let at = start; at < sql.length - 1; at++) {
    const pair = sql.slice(at, at + 2);
    if (pair === '/*') depth++;
    else if (pair === '*/') depth--;
    else continue;
    at++;
    if (depth === 0) return at + 1;
  }
  return sql.length;
}

/**
 * The tokens outside parentheses, lazily: words lowercased, a parenthesised group as one `()`, no
 * whitespace or comments. A common table expression's body is a group, so its own verb never shows.
 */
function* topLevelTokens(sql: string, start: number): Generator<string, undefined> {
  let depth = 0;
  let at = start;
  while (at < sql.length) {
    if (sql.startsWith('/*', at)) {
      at = blockCommentEnd(sql, at);
      continue;
    }
    TOKEN.lastIndex = at;
    const token = TOKEN.exec(sql)![0];
    at += token.length;
    // eslint-disable-next-line security/detect-possible-timing-attacks -- compares SQL tokens, not secrets
    if (token === '(') depth++;
    // eslint-disable-next-line security/detect-possible-timing-attacks -- compares SQL tokens, not secrets
    else if (token === ')') {
      depth--;
      if (depth === 0) yield '()';
    } else if (depth === 0 && !/^(?:\s|--)/.test(token))
      yield /^[A-Za-z_]/.test(token) ? token.toLowerCase() : token;
  }
}

/**
 * The kind of statement a Sequelize log line ran. `WITH … UPDATE` is an update: the kind of a statement
 * with common table expressions is its main statement's, the first verb outside parentheses that does not
 * name one of them.
 */
export function operationOf(logged: string): Operation {
  const tokens = topLevelTokens(logged, SEQUELIZE_PREFIX.exec(logged)?.[0].length ?? 0);
  let previous = tokens.next().value ?? '';
  if (previous !== 'with') return isVerb(previous) ? previous : 'other';
  for (const token of tokens) {
    if (isVerb(token) && !BEFORE_CTE_NAME.has(previous)) return token;
    previous = token;
  }
  return 'other';
}
