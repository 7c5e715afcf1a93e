import { z } from 'zod';
import type { Metrics } from '../observability/metrics';
import { unprocessable } from '../platform/errors';
import { defineRoute, mountRoutes } from '../routing/route';
import { authOf, originOf } from './context';
import { authenticate, requireStepUp } from './guards';
import type { MfaService } from './mfa';
import { User } from './model';
import { sendTokens } from './routes';
import * as S from './schemas';
import type { RecordSecurityEvent } from './security-events';
import type { SessionStore } from './sessions';

const tags = ['auth'];
const recoveryCodesResponse = {
  200: {
    description: 'Recovery codes (and the assurance level of the session once enrollment is confirmed)',
    schema: z.object({
      recoveryCodes: z.array(z.string().max(64)).max(32),
      aal: z.enum(['aal1', 'aal2']).optional(),
    }),
  },
};

/** Enrolling and managing the authenticator. Changing MFA is sensitive: it needs a recent step-up. */
export function mfaRoutes(
  mfa: MfaService,
  sessions: SessionStore,
  metrics: Metrics,
  recordSecurityEvent: RecordSecurityEvent,
) {
  return mountRoutes([
    defineRoute({
      method: 'post',
      path: '/auth/mfa/totp',
      summary: 'Start TOTP enrollment (needs a recent step-up)',
      tags,
      guards: [authenticate(), requireStepUp()],
      responses: {
        201: {
          description: 'The secret and its otpauth URI',
          schema: z.object({ secret: z.string().max(128), otpauthUri: z.string().max(2048) }),
        },
      },
      problems: [409],
      handler: async (ctx) => {
        const auth = authOf(ctx);
        const user = await User.findByPk(auth.userId, { attributes: ['email'], raw: true });
        const enrollment = await mfa.startEnrollment(auth.userId, user?.email ?? auth.userId);
        sendTokens(ctx, { ...enrollment }, 201);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/mfa/totp/confirm',
      summary: 'Confirm TOTP enrollment with a code; answers recovery codes',
      tags,
      guards: [authenticate()],
      input: { body: S.MfaConfirmBody },
      responses: recoveryCodesResponse,
      handler: async (ctx, { body }) => {
        const auth = authOf(ctx);
        const recoveryCodes = await mfa.confirmEnrollment(auth.userId, body.code);
        metrics.auth.mfaVerifications.inc({ result: recoveryCodes ? 'success' : 'failure' });
        if (!recoveryCodes)
          throw unprocessable([{ pointer: '#/body/code', detail: 'does not match the authenticator' }]);
        // The code proves possession of the second factor: this session now stands at aal2.
        let aal = auth.aal;
        if (auth.sessionId) {
          await sessions.reauthenticated(auth.sessionId, 'aal2');
          aal = 'aal2';
        }
        await recordSecurityEvent({
          eventType: 'auth.mfa_enrolled',
          outcome: 'success',
          origin: originOf(ctx),
          actorUserId: auth.userId,
          actorRole: auth.role,
        });
        sendTokens(ctx, { recoveryCodes, aal });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/mfa/recovery-codes',
      summary: 'Replace the recovery codes (needs a recent step-up)',
      tags,
      guards: [authenticate(), requireStepUp()],
      responses: recoveryCodesResponse,
      handler: async (ctx) => {
        const auth = authOf(ctx);
        const user = await User.findByPk(auth.userId, { attributes: ['mfaEnrolled'], raw: true });
        if (!user?.mfaEnrolled)
          throw unprocessable(
            [{ pointer: '#', detail: 'no authenticator is enrolled' }],
            'Enroll an authenticator first.',
          );
        const recoveryCodes = await mfa.regenerateRecoveryCodes(auth.userId);
        await recordSecurityEvent({
          eventType: 'auth.mfa_recovery_codes_regenerated',
          outcome: 'success',
          origin: originOf(ctx),
          actorUserId: auth.userId,
          actorRole: auth.role,
        });
        sendTokens(ctx, { recoveryCodes });
      },
    }),
  ]);
}
