/**
 * A record's life as a list of dated status changes, planned to the end and then cut at "now": what has
 * happened by then is the record's state, what would happen later is left out. Cutting one plan at
 * different moments gives every status of the state machine with timestamps that agree with each other.
 */
export interface Transition<Status extends string> {
  readonly to: Status;
  readonly at: Date;
}

export interface CutTimeline<Status extends string, T extends Transition<Status>> {
  readonly status: Status;
  /** The changes that have happened by the cut, in order. */
  readonly happened: readonly T[];
  /** When the record last changed: its updated_at. */
  readonly lastChangedAt: Date;
  /** 1 for a record never changed; each change is one optimistic-lock update. */
  readonly version: number;
}

export function cutAt<Status extends string, T extends Transition<Status>>(
  initial: NoInfer<Status>,
  createdAt: Date,
  plan: readonly T[],
  now: Date,
): CutTimeline<Status, T> {
  const happened = plan.filter((transition) => transition.at.getTime() <= now.getTime());
  const last = happened.at(-1);
  return {
    status: last?.to ?? initial,
    happened,
    lastChangedAt: last?.at ?? createdAt,
    version: 1 + happened.length,
  };
}

/** The moment of the first change to `status`, or null if it has not happened. */
export function whenReached<Status extends string>(
  happened: readonly Transition<Status>[],
  status: Status,
): Date | null {
  return happened.find((transition) => transition.to === status)?.at ?? null;
}
