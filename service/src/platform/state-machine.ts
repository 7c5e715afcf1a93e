/**
 * A finite state machine given as "status -> statuses it may move to". Services use `sourcesOf` to
 * build race-safe conditional updates (`WHERE status = ANY(sources)`) and `canMove` to explain a
 * refusal (see conditional-transition.ts).
 */
export function createStateMachine<S extends string>(transitions: Readonly<Record<S, readonly S[]>>) {
  const statuses = Object.keys(transitions) as S[];
  return {
    canMove: (from: S, to: S): boolean => transitions[from].includes(to),
    sourcesOf: (to: S): S[] => statuses.filter((from) => transitions[from].includes(to)),
  };
}
