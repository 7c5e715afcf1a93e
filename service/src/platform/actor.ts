import type { Role } from '../auth/model';

/** Who is acting: use cases decide authorization from this, never from transport details. */
export interface Actor {
  readonly userId: string;
  readonly role: Role;
}
