import type Koa from 'koa';
import type { Context } from 'koa';
import { unauthorized } from '../platform/errors';
import type { Role } from './model';

export type Aal = 'aal1' | 'aal2';

/** Who is calling, set by `authenticate()`; every later guard and handler reads it through `authOf`. */
export interface AuthContext {
  readonly userId: string;
  readonly role: Role;
  /** Null for a token from the external identity provider, which has no local session. */
  readonly sessionId: string | null;
  readonly aal: Aal;
  /** When the caller last proved who they are (login, MFA, step-up); null when never in this session. */
  readonly stepUpAt: Date | null;
}

/**
 * Turns a bearer token into an AuthContext, or answers undefined when the token is not accepted: at once
 * for one of our tokens whose session this instance keeps in memory (nearly every request), else later.
 */
export interface Authenticator {
  authenticate(token: string): AuthContext | undefined | Promise<AuthContext | undefined>;
}

export function authOf(ctx: Context): AuthContext {
  const auth = ctx.state.auth as AuthContext | undefined;
  if (!auth) throw unauthorized();
  return auth;
}

export function optionalAuthOf(ctx: Context): AuthContext | undefined {
  return ctx.state.auth as AuthContext | undefined;
}

const AUTHENTICATOR = Symbol('carewatch.authenticator');
type WithAuthenticator = { [AUTHENTICATOR]?: Authenticator };

/**
 * The guards need the authenticator without every feature passing it into every route: it lives on
 * `app.context`, the prototype of every request's ctx (Koa's own place for app-wide services).
 */
export function installAuthenticator(app: Koa, authenticator: Authenticator): void {
  (app.context as WithAuthenticator)[AUTHENTICATOR] = authenticator;
}

export function authenticatorOf(ctx: Context): Authenticator {
  const authenticator = (ctx as unknown as WithAuthenticator)[AUTHENTICATOR];
  if (!authenticator) throw new Error('No authenticator is installed on this app (see installAuthenticator)');
  return authenticator;
}

/** What a security event and a session record about the request: never the body. */
export interface RequestOrigin {
  readonly requestId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

export function originOf(ctx: Context): RequestOrigin {
  return {
    requestId: ctx.state.requestId ?? null,
    ip: ctx.ip || null,
    userAgent: ctx.get('User-Agent').slice(0, 512) || null,
  };
}
