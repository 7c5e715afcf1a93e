// Reads the families a Prometheus text exposition declares. A labelled metric with no observation yet
// prints only its HELP and TYPE lines, so the declaration, not a sample, is what proves a name exists.

const TYPE_LINE = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/gm;

/** Family name to type, for every `# TYPE` line. */
export function declaredFamilies(exposition: string): Map<string, string> {
  return new Map([...exposition.matchAll(TYPE_LINE)].map(([, name = '', type = '']) => [name, type]));
}

const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ['_bucket', '_count', '_sum'],
  summary: ['_count', '_sum'],
};

/** True when `series` (e.g. `x_bucket`) is a family, or a series a histogram or summary family emits. */
export function isDeclared(series: string, families: ReadonlyMap<string, string>): boolean {
  if (families.has(series)) return true;
  return Object.entries(SUFFIXES).some(([type, suffixes]) =>
    suffixes.some(
      (suffix) => series.endsWith(suffix) && families.get(series.slice(0, -suffix.length)) === type,
    ),
  );
}
