import { conflict } from './errors';

/**
 * A finite state machine given as "status -> statuses it may move to". Services use `sourcesOf` to
 * build race-safe conditional updates (`WHERE status = ANY(sources)`) and `assertTransition` to explain
 * a refusal with 409.
 */
export function createStateMachine<S extends string>(transitions: Readonly<Record<S, readonly S[]>>) {
  const statuses = Object.keys(transitions) as S[];
  return {
    canMove: (from: S, to: S): boolean => transitions[from].includes(to),
    sourcesOf: (to: S): S[] => statuses.filter((from) => transitions[from].includes(to)),
    isFinal: (status: S): boolean => transitions[status].length === 0,
    assertTransition(from: S, to: S): void {
      if (!transitions[from].includes(to))
        throw conflict(`A ${from} record cannot become ${to}.`, 'invalid_transition');
    },
  };
}
