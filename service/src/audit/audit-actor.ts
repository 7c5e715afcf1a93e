import type { Context } from 'koa';
import { optionalAuthOf } from '../auth/context';

export interface AuditActor {
  readonly userId: string | null;
  readonly role: 'patient' | 'provider' | 'admin' | 'operator' | 'anonymous' | 'system';
}

export const SYSTEM_ACTOR: AuditActor = { userId: null, role: 'system' };

export function actorOf(ctx: Context): AuditActor {
  const identity = optionalAuthOf(ctx);
  return identity ? { userId: identity.userId, role: identity.role } : { userId: null, role: 'anonymous' };
}
