import type { Context, Middleware, Next } from 'koa';
import { forbidden, unauthorized } from '../platform/errors';
import { tagged } from '../platform/route-metadata';
import { authenticatorOf, optionalAuthOf, type AuthContext } from './context';
import type { Role } from './model';

/** Longer than any token we or the external provider issue; anything bigger is not worth parsing. */
const MAX_TOKEN_LENGTH = 4096;
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/** The caller, kept for the later guards and the handler; 401 for a token that was not accepted. */
function admitted(ctx: Context, auth: AuthContext | undefined): AuthContext {
  if (!auth) throw unauthorized('The access token is invalid, expired or revoked.', 'invalid_token');
  ctx.state.auth = auth;
  return auth;
}

/**
 * Every authenticated request checks its session (through the cache): a revoked one stops at once. At
 * once, without a promise, when the authenticator answers at once (a session this instance keeps).
 */
function authenticateRequest(ctx: Context): AuthContext | Promise<AuthContext> {
  const token = BEARER.exec(ctx.get('Authorization'))?.[1];
  if (!token || token.length > MAX_TOKEN_LENGTH) throw unauthorized();
  const auth = authenticatorOf(ctx).authenticate(token);
  return auth instanceof Promise ? auth.then((answered) => admitted(ctx, answered)) : admitted(ctx, auth);
}

/**
 * A guard that authenticates first (unless an earlier guard did), then applies `check`. Not async: a
 * request whose caller is known at once (an earlier guard, a session in memory) adds no promise.
 */
const guard = (name: string, check: (auth: AuthContext) => void): Middleware =>
  tagged(
    (ctx: Context, next: Next) => {
      const auth = optionalAuthOf(ctx) ?? authenticateRequest(ctx);
      if (auth instanceof Promise)
        return auth.then((answered) => {
          check(answered);
          return next();
        });
      check(auth);
      return next();
    },
    { guard: name },
  );

export const authenticate = (): Middleware => guard('authenticated', () => undefined);

export const requireRole = (...roles: Role[]): Middleware =>
  guard(`role:${roles.join('|')}`, (auth) => {
    if (!roles.includes(auth.role)) throw forbidden();
  });

/**
 * Providers and admins reach PHI only with a second factor behind their session; operators reach the
 * operations console only with one.
 */
export const STAFF_ROLES: readonly Role[] = ['provider', 'admin', 'operator'];

export const requireAal2 = (roles: readonly Role[] = STAFF_ROLES): Middleware =>
  guard('aal2', (auth) => {
    if (roles.includes(auth.role) && auth.aal !== 'aal2') {
      throw forbidden(
        'This needs a second factor. Not enrolled yet: POST /v1/auth/mfa/totp, then POST ' +
          '/v1/auth/mfa/totp/confirm with a code from the authenticator; enrolled: sign in again and ' +
          'finish with POST /v1/auth/mfa/verify.',
        'mfa_required',
      );
    }
  });

/** Sensitive actions need a recent proof of identity (login, MFA or POST /v1/auth/step-up). */
export const requireStepUp = (maxAgeSeconds = 300): Middleware =>
  guard(`step_up:${maxAgeSeconds}`, (auth) => {
    const age = auth.stepUpAt ? (Date.now() - auth.stepUpAt.getTime()) / 1000 : Infinity;
    if (age > maxAgeSeconds)
      throw forbidden('Confirm your identity again (POST /v1/auth/step-up).', 'step_up_required');
  });

/**
 * The building block of relationship checks: patients reach only their own records, staff pass on to a
 * check the feature provides (a provider's assigned consultations, an admin's break-glass).
 */
export const isSelf = (auth: AuthContext, userId: string): boolean => auth.userId === userId;
