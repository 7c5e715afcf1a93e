import type { Context } from 'koa';

/**
 * The part of the authentication context the audit trail reads. Auth sets `ctx.state.auth`; the audit
 * trail only needs who acted, never how they proved it.
 */
export interface AuditedIdentity {
  readonly userId: string;
  readonly role: 'patient' | 'provider' | 'admin';
  readonly sessionId: string;
  readonly aal: 'aal1' | 'aal2';
}

export interface AuditActor {
  readonly userId: string | null;
  readonly role: 'patient' | 'provider' | 'admin' | 'anonymous' | 'system';
}

export const SYSTEM_ACTOR: AuditActor = { userId: null, role: 'system' };

export function identityOf(ctx: Context): AuditedIdentity | undefined {
  return ctx.state.auth as AuditedIdentity | undefined;
}

export function actorOf(ctx: Context): AuditActor {
  const identity = identityOf(ctx);
  return identity ? { userId: identity.userId, role: identity.role } : { userId: null, role: 'anonymous' };
}
