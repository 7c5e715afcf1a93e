// Extracts the metric names a PromQL expression reads, without a full parser: remove what can hold
// identifiers that are not metric names (strings, label matchers, range and subquery brackets,
// grouping label lists), then keep the identifiers that are not function calls or keywords.

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

const STRING_LITERAL = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;
const LABEL_MATCHERS = /\{[^}]*\}/g;
const RANGE_OR_SUBQUERY = /\[[^\]]*\]/g;
const GROUPING = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g;
// eslint-disable-next-line security/detect-unsafe-regex -- reviewed: every repetition consumes distinct characters, so matching stays linear
const IDENTIFIER = /(?<![\w:.])([a-zA-Z_:][\w:]*)(?![\w:])(\s*\()?/g;

/** Metric names read by `expr`, sorted and without duplicates. */
export function listMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(STRING_LITERAL, '""')
    .replace(LABEL_MATCHERS, ' ')
    .replace(RANGE_OR_SUBQUERY, ' ')
    .replace(GROUPING, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(IDENTIFIER)) {
    const [, name, call] = match;
    if (name === undefined || call !== undefined || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names].sort();
}

/** Names produced by recording rules (level:metric:operations) rather than scraped from the service. */
export function isRecordedMetricName(name: string): boolean {
  return name.includes(':');
}
