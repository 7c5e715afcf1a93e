import type { Counter } from 'prom-client';

/**
 * Creates every known label combination of a counter at 0. A labelled series otherwise appears only at
 * its first increment, already at 1, and `increase()` over a window has nothing to compare it with: the
 * first break-glass access or the first expired request on a pod would never alert.
 */
export function startAtZero<L extends string>(
  counter: Counter<L>,
  values: { readonly [K in L]: readonly string[] },
): void {
  const names = Object.keys(values) as L[];
  const combinations = names.reduce<Partial<Record<L, string>>[]>(
    (partial, name) =>
      partial.flatMap((labels) => values[name].map((value) => ({ ...labels, [name]: value }))),
    [{}],
  );
  for (const labels of combinations) counter.inc(labels, 0);
}
