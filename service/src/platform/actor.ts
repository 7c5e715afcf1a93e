import type { Role } from '../auth/model';
import { forbidden } from './errors';

/** Who is acting: use cases decide authorization from this, never from transport details. */
export interface Actor {
  readonly userId: string;
  readonly role: Role;
}

/** Route guards check roles first; use cases check again so they are safe to call from anywhere. */
export function assertRole<R extends Role>(
  actor: Actor,
  ...roles: R[]
): asserts actor is Actor & { readonly role: R } {
  if (!(roles as Role[]).includes(actor.role)) throw forbidden(`Only a ${roles.join(' or ')} may do this.`);
}
