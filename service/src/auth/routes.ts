import type { Context } from 'koa';
import { z } from 'zod';
import { defineRoute, mountRoutes } from '../routing/route';
import { authOf, originOf } from './context';
import { authenticate } from './guards';
import { ROLES, User } from './model';
import type { PasswordResets } from './password-reset';
import * as S from './schemas';
import type { AuthService, TokenPair } from './service';

/** Token responses must never be stored by a cache on the way (RFC 6749 section 5.1). */
export function sendTokens(ctx: Context, body: TokenPair | Record<string, unknown>, status = 200): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.status = status;
  ctx.body = body;
}

const tags = ['auth'];
const token = z.string().max(4096);
const seconds = z.int32().min(0);
const TokenPairResponse = z.object({
  status: z.literal('authenticated').optional(),
  accessToken: token,
  refreshToken: token,
  tokenType: z.literal('Bearer'),
  expiresIn: seconds,
  aal: z.enum(['aal1', 'aal2']),
});
const LoginResponse = z.union([
  TokenPairResponse,
  z.object({ status: z.literal('mfa_required'), mfaToken: token, expiresIn: seconds }),
]);
/** A public POST answering tokens (or refusing with 401, or 429 when throttled). */
const tokenRoute = (path: string, summary: string, response: z.ZodType) =>
  ({
    method: 'post',
    path,
    summary,
    tags,
    guards: 'public',
    responses: { 200: { description: summary, schema: response } },
    problems: [401, 429],
  }) as const;
const done = { 204: { description: 'Done' } };
const MeResponse = z.object({
  id: z.uuid(),
  email: z.email().max(254).optional(),
  role: z.enum(ROLES),
  mfaEnrolled: z.boolean(),
  session: z.object({
    id: z.string().max(64).nullable(),
    aal: z.enum(['aal1', 'aal2']),
    stepUpAt: z.iso.datetime().nullable(),
  }),
});

export function authRoutes(auth: AuthService, resets: PasswordResets) {
  const logout = (path: string, summary: string, everywhere: boolean) =>
    defineRoute({
      method: 'post',
      path,
      summary,
      tags,
      guards: [authenticate()],
      responses: done,
      handler: async (ctx) => {
        await auth.logout(authOf(ctx), everywhere, originOf(ctx));
        ctx.status = 204;
      },
    });

  return mountRoutes([
    defineRoute({
      ...tokenRoute('/auth/login', 'Log in with email and password', LoginResponse),
      input: { body: S.LoginBody },
      handler: async (ctx, { body: { email, password } }) => {
        const result = await auth.login(email, password, originOf(ctx));
        sendTokens(
          ctx,
          result.status === 'authenticated' ? { status: result.status, ...result.tokens } : result,
        );
      },
    }),
    defineRoute({
      ...tokenRoute('/auth/mfa/verify', 'Complete a login with a second factor', TokenPairResponse),
      input: { body: S.MfaVerifyBody },
      handler: async (ctx, { body: { mfaToken, ...factor } }) => {
        sendTokens(ctx, {
          status: 'authenticated',
          ...(await auth.completeMfa(mfaToken, factor, originOf(ctx))),
        });
      },
    }),
    defineRoute({
      ...tokenRoute('/auth/refresh', 'Exchange a refresh token (rotated) for new tokens', TokenPairResponse),
      input: { body: S.RefreshBody },
      handler: async (ctx, { body }) => {
        sendTokens(ctx, await auth.refresh(body.refreshToken, originOf(ctx)));
      },
    }),
    logout('/auth/logout', 'End this session', false),
    logout('/auth/logout-all', 'End every session of this account', true),
    defineRoute({
      method: 'post',
      path: '/auth/step-up',
      summary: 'Prove identity again before a sensitive action',
      tags,
      guards: [authenticate()],
      input: { body: S.StepUpBody },
      responses: {
        200: {
          description: 'Confirmed',
          schema: z.object({ stepUpAt: z.iso.datetime(), aal: z.enum(['aal1', 'aal2']) }),
        },
      },
      problems: [429],
      handler: async (ctx, { body }) => {
        const { stepUpAt, aal } = await auth.stepUp(authOf(ctx), body, originOf(ctx));
        ctx.body = { stepUpAt: stepUpAt.toISOString(), aal };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/password-reset',
      summary: 'Ask for a reset link (never says whether the account exists)',
      tags,
      guards: 'public',
      input: { body: S.PasswordResetBody },
      responses: {
        202: {
          description: 'Accepted',
          schema: z.object({ status: z.literal('accepted'), detail: z.string().max(200) }),
        },
      },
      problems: [429],
      handler: async (ctx, { body }) => {
        await resets.request(body.email, originOf(ctx));
        ctx.status = 202;
        ctx.body = { status: 'accepted', detail: 'If the account exists, a reset link is on its way.' };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/password-reset/confirm',
      summary: 'Set a new password with a reset token',
      tags,
      guards: 'public',
      input: { body: S.PasswordResetConfirmBody },
      responses: done,
      problems: [401],
      handler: async (ctx, { body: { token, newPassword } }) => {
        await resets.confirm(token, newPassword, originOf(ctx));
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/me',
      summary: 'Who I am and my session',
      tags,
      guards: [authenticate()],
      responses: { 200: { description: 'The caller', schema: MeResponse } },
      handler: async (ctx) => {
        const session = authOf(ctx);
        const user = await User.findByPk(session.userId, {
          attributes: ['id', 'email', 'role', 'mfaEnrolled'],
          raw: true,
        });
        ctx.set('Cache-Control', 'no-store');
        ctx.body = {
          id: session.userId,
          email: user?.email,
          role: session.role,
          mfaEnrolled: user?.mfaEnrolled ?? false,
          session: {
            id: session.sessionId,
            aal: session.aal,
            stepUpAt: session.stepUpAt?.toISOString() ?? null,
          },
        };
      },
    }),
  ]);
}
