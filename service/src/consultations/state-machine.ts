import type { Role } from '../auth/model';
import { createStateMachine } from '../platform/state-machine';
import type { ConsultationStatus } from './model';

/**
 * requested -> accepted -> in_progress -> completed, with cancellation before the end, no-show when the
 * patient never joined an accepted consultation, and expiry for requests nobody accepted in time.
 */
export const consultationStates = createStateMachine<ConsultationStatus>({
  requested: ['accepted', 'cancelled', 'expired'],
  accepted: ['in_progress', 'cancelled', 'no_show'],
  in_progress: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
  no_show: [],
  expired: [],
});

/** The column each step stamps; every final status stamps `ended_at`. */
export function timestampColumnOf(status: ConsultationStatus): 'accepted_at' | 'started_at' | 'ended_at' {
  if (status === 'accepted') return 'accepted_at';
  if (status === 'in_progress') return 'started_at';
  return 'ended_at';
}

/** Who may cancel from where: patients before it starts, providers once assigned, admins anything open. */
export const CANCELLABLE_BY: Readonly<Record<Exclude<Role, 'operator'>, readonly ConsultationStatus[]>> = {
  patient: ['requested', 'accepted'],
  provider: ['accepted', 'in_progress'],
  admin: consultationStates.sourcesOf('cancelled'),
};
