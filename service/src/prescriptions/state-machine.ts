import { createStateMachine } from '../platform/state-machine';
import type { PrescriptionStatus } from './model';

/** issued -> sent (to the pharmacy) -> filled; cancellable until filled. */
export const prescriptionStates = createStateMachine<PrescriptionStatus>({
  issued: ['sent', 'cancelled'],
  sent: ['filled', 'cancelled'],
  filled: [],
  cancelled: [],
});

export function timestampColumnOf(status: PrescriptionStatus): string {
  return `${status}_at`;
}
