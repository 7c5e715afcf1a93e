// Grafana's template variables in a panel expression, replaced by values a plain Prometheus accepts. No
// dependency on the Grafana SDK: the service uses it at run time to run the console's panel queries.

const VARIABLE = /\$\{(\w+)(?::\w+)?\}|\$(\w+)/g;

/** Replaces `$var` and `${var}`; unknown variables are left as they are so checks can spot them. */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(VARIABLE, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    return values[name] ?? whole;
  });
}
