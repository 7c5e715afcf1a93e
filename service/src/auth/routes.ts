import Router from '@koa/router';
import type { Context } from 'koa';
import { publicRoute } from '../platform/route-metadata';
import { bodyOf, validate } from '../platform/validate';
import { authOf, originOf } from './context';
import { authenticate } from './guards';
import { User } from './model';
import type { PasswordResets } from './password-reset';
import * as S from './schemas';
import type { AuthService, TokenPair } from './service';

/** Token responses must never be stored by a cache on the way (RFC 6749 section 5.1). */
export function sendTokens(ctx: Context, body: TokenPair | Record<string, unknown>, status = 200): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.status = status;
  ctx.body = body;
}

export function authRoutes(auth: AuthService, resets: PasswordResets): Router {
  const router = new Router();

  router.post('/auth/login', publicRoute(), validate({ body: S.LoginBody }), async (ctx) => {
    const { email, password } = bodyOf(ctx, S.LoginBody);
    const result = await auth.login(email, password, originOf(ctx));
    sendTokens(ctx, result.status === 'authenticated' ? { status: result.status, ...result.tokens } : result);
  });

  router.post('/auth/mfa/verify', publicRoute(), validate({ body: S.MfaVerifyBody }), async (ctx) => {
    const { mfaToken, ...factor } = bodyOf(ctx, S.MfaVerifyBody);
    sendTokens(ctx, {
      status: 'authenticated',
      ...(await auth.completeMfa(mfaToken, factor, originOf(ctx))),
    });
  });

  router.post('/auth/refresh', publicRoute(), validate({ body: S.RefreshBody }), async (ctx) => {
    sendTokens(ctx, await auth.refresh(bodyOf(ctx, S.RefreshBody).refreshToken, originOf(ctx)));
  });

  router.post('/auth/logout', authenticate(), async (ctx) => {
    await auth.logout(authOf(ctx), false, originOf(ctx));
    ctx.status = 204;
  });

  router.post('/auth/logout-all', authenticate(), async (ctx) => {
    await auth.logout(authOf(ctx), true, originOf(ctx));
    ctx.status = 204;
  });

  router.post('/auth/step-up', authenticate(), validate({ body: S.StepUpBody }), async (ctx) => {
    const { stepUpAt, aal } = await auth.stepUp(authOf(ctx), bodyOf(ctx, S.StepUpBody), originOf(ctx));
    ctx.body = { stepUpAt: stepUpAt.toISOString(), aal };
  });

  router.post('/auth/password-reset', publicRoute(), validate({ body: S.PasswordResetBody }), async (ctx) => {
    await resets.request(bodyOf(ctx, S.PasswordResetBody).email, originOf(ctx));
    ctx.status = 202;
    ctx.body = { status: 'accepted', detail: 'If the account exists, a reset link is on its way.' };
  });

  router.post(
    '/auth/password-reset/confirm',
    publicRoute(),
    validate({ body: S.PasswordResetConfirmBody }),
    async (ctx) => {
      const { token, newPassword } = bodyOf(ctx, S.PasswordResetConfirmBody);
      await resets.confirm(token, newPassword, originOf(ctx));
      ctx.status = 204;
    },
  );

  router.get('/me', authenticate(), async (ctx) => {
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
      session: { id: session.sessionId, aal: session.aal, stepUpAt: session.stepUpAt?.toISOString() ?? null },
    };
  });

  return router;
}
