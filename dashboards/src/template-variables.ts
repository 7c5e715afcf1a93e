// Grafana's template variables in a panel expression, replaced by values a plain Prometheus accepts. No
// dependency on the Grafana SDK: the service uses it at run time to run the console's panel queries.

// eslint-disable-next-line security/detect-unsafe-regex -- reviewed: every repetition consumes distinct characters, so matching stays linear
const VARIABLE = /\$\{(\w+)(?::\w+)?\}|\$(\w+)/g;

/** Replaces `$var` and `${var}`; unknown variables are left as they are so checks can spot them. */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(VARIABLE, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    return values[name] ?? whole;
  });
}
