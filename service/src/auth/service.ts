import type { Sequelize } from 'sequelize';
import type { Metrics } from '../observability/metrics';
import { AppError, unauthorized } from '../platform/errors';
import type { AccessTokens } from './access-tokens';
import type { Attempts } from './attempts';
import type { AuthConfig } from './config';
import type { Aal, AuthContext, RequestOrigin } from './context';
import type { MfaChallenges } from './mfa-challenges';
import type { MfaService } from './mfa';
import { normalizeEmail, User } from './model';
import type { PasswordHasher } from './passwords';
import type { RefreshTokens } from './refresh-tokens';
import type { RecordSecurityEvent } from './security-events';
import type { SessionStore } from './sessions';

export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
  readonly aal: Aal;
}

export type LoginResult =
  | { readonly status: 'authenticated'; readonly tokens: TokenPair }
  | { readonly status: 'mfa_required'; readonly mfaToken: string; readonly expiresIn: number };

export interface SecondFactor {
  readonly code?: string | undefined;
  readonly recoveryCode?: string | undefined;
}

export interface AuthServiceDeps {
  readonly config: AuthConfig;
  readonly sequelize: Sequelize;
  readonly metrics: Metrics;
  readonly recordSecurityEvent: RecordSecurityEvent;
  readonly hasher: PasswordHasher;
  readonly tokens: AccessTokens;
  readonly sessions: SessionStore;
  readonly refreshTokens: RefreshTokens;
  readonly mfa: MfaService;
  readonly challenges: MfaChallenges;
  readonly attempts: Attempts;
}

const INVALID_CREDENTIALS = {
  failureCode: 'invalid_credentials',
  failureDetail: 'The email or password is incorrect.',
} as const;
const INVALID_CODE = {
  failureCode: 'invalid_mfa_code',
  failureDetail: 'The code is incorrect or was already used.',
} as const;
const challengeInvalid = () =>
  unauthorized('The MFA challenge is unknown or expired; log in again.', 'mfa_challenge_invalid');

const findUser = (where: { id: string } | { email: string }) =>
  User.findOne({
    where,
    raw: true,
    attributes: ['id', 'email', 'role', 'status', 'passwordHash', 'mfaEnrolled'],
  });

/** Login, the second factor, refresh, logout and step-up, in the order a session lives them. */
export function createAuthService(deps: AuthServiceDeps) {
  const { config, metrics, attempts, recordSecurityEvent } = deps;

  const startSession = async (userId: string, aal: Aal, origin: RequestOrigin): Promise<TokenPair> => {
    const { sessionId, refreshToken } = await deps.sequelize.transaction(async (transaction) => {
      const id = await deps.sessions.create(userId, aal, origin, transaction);
      return { sessionId: id, refreshToken: await deps.refreshTokens.issue(id, transaction) };
    });
    const accessToken = await deps.tokens.sign({ userId, sessionId, aal });
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: config.accessTokenTtlSeconds, aal };
  };

  const counted = async <T>(work: () => Promise<T>, onError: (result: string) => void): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      const status = error instanceof AppError ? error.status : 500;
      onError(status === 429 ? 'locked' : status === 503 ? 'overloaded' : 'failure');
      throw error;
    }
  };

  const loggedIn = async (
    user: { id: string; email: string; role: User['role'] },
    aal: Aal,
    origin: RequestOrigin,
  ) => {
    await attempts.succeeded(user.email);
    const tokens = await startSession(user.id, aal, origin);
    metrics.auth.logins.inc({ method: 'password', result: 'success' });
    await recordSecurityEvent({
      eventType: 'auth.login_succeeded',
      outcome: 'success',
      origin,
      actorUserId: user.id,
      actorRole: user.role,
      details: { aal },
    });
    return tokens;
  };

  return {
    async login(email: string, password: string, origin: RequestOrigin): Promise<LoginResult> {
      await attempts.spendAddress(origin);
      const user = await findUser({ email: normalizeEmail(email) });
      const subject = { email, userId: user?.id ?? null, role: user?.role ?? null };
      await counted(
        () =>
          attempts.attempt(
            subject,
            origin,
            { failureEvent: 'auth.login_failed', ...INVALID_CREDENTIALS },
            async () => {
              const matches = await deps.hasher.verify(user?.passwordHash, password);
              return matches && user?.status === 'active';
            },
          ),
        (result) => metrics.auth.logins.inc({ method: 'password', result }),
      );
      if (!user!.mfaEnrolled)
        return { status: 'authenticated', tokens: await loggedIn(user!, 'aal1', origin) };
      metrics.auth.logins.inc({ method: 'password', result: 'mfa_required' });
      return {
        status: 'mfa_required',
        mfaToken: await deps.challenges.issue(user!.id),
        expiresIn: config.mfaChallengeTtlSeconds,
      };
    },

    async completeMfa(mfaToken: string, factor: SecondFactor, origin: RequestOrigin): Promise<TokenPair> {
      await attempts.spendAddress(origin);
      const userId = await deps.challenges.userOf(mfaToken);
      const user = userId ? await findUser({ id: userId }) : null;
      if (!user || user.status !== 'active') throw challengeInvalid();
      await counted(
        () =>
          attempts.attempt(
            { email: user.email, userId: user.id, role: user.role },
            origin,
            { failureEvent: 'auth.mfa_failed', ...INVALID_CODE },
            () => checkSecondFactor(user.id, factor),
          ),
        (result) => metrics.auth.mfaVerifications.inc({ result }),
      );
      // Spent only now, so a wrong code can be corrected; of two requests that both got here, one wins.
      if (!(await deps.challenges.consume(mfaToken, user.id))) throw challengeInvalid();
      metrics.auth.mfaVerifications.inc({ result: 'success' });
      return loggedIn(user, 'aal2', origin);
    },

    async refresh(refreshToken: string, origin: RequestOrigin): Promise<TokenPair> {
      await attempts.spendAddress(origin);
      const rotation = await deps.refreshTokens.rotate(refreshToken);
      metrics.auth.tokenRefreshes.inc({ result: rotation.kind });
      if (rotation.kind === 'reuse') {
        metrics.auth.refreshReuseDetected.inc();
        await recordSecurityEvent({
          eventType: 'auth.refresh_reuse',
          outcome: 'denied',
          origin,
          actorUserId: rotation.userId,
          details: { sessionRevoked: true },
        });
      }
      if (rotation.kind === 'reuse' || rotation.kind === 'invalid')
        throw unauthorized('The refresh token is not valid.', 'invalid_refresh_token');
      const accessToken = await deps.tokens.sign({
        userId: rotation.userId,
        sessionId: rotation.sessionId,
        aal: rotation.aal,
      });
      return {
        accessToken,
        refreshToken: rotation.token,
        tokenType: 'Bearer',
        expiresIn: config.accessTokenTtlSeconds,
        aal: rotation.aal,
      };
    },

    async logout(auth: AuthContext, everywhere: boolean, origin: RequestOrigin): Promise<void> {
      if (everywhere) await deps.sessions.revokeAllForUser(auth.userId, 'logout_all');
      else if (auth.sessionId) await deps.sessions.revoke(auth.sessionId, 'logout');
      await recordSecurityEvent({
        eventType: everywhere ? 'auth.logout_all' : 'auth.logout',
        outcome: 'success',
        origin,
        actorUserId: auth.userId,
        actorRole: auth.role,
      });
    },

    /** Re-authentication before a sensitive action: the password, or a code from the authenticator. */
    async stepUp(
      auth: AuthContext,
      proof: { password?: string | undefined } & SecondFactor,
      origin: RequestOrigin,
    ) {
      if (!auth.sessionId) throw unauthorized('Step-up needs a Carewatch session.', 'session_required');
      const user = await findUser({ id: auth.userId });
      if (!user) throw unauthorized();
      const viaFactor = proof.password === undefined;
      await attempts.attempt(
        { email: user.email, userId: user.id, role: user.role },
        origin,
        { failureEvent: 'auth.step_up', ...(viaFactor ? INVALID_CODE : INVALID_CREDENTIALS) },
        () =>
          viaFactor
            ? checkSecondFactor(user.id, proof)
            : deps.hasher.verify(user.passwordHash, proof.password!),
      );
      await attempts.succeeded(user.email);
      // A second factor proves more than the session had: it lifts a password-only session to aal2.
      const stepUpAt = await deps.sessions.reauthenticated(auth.sessionId, viaFactor ? 'aal2' : undefined);
      await recordSecurityEvent({
        eventType: 'auth.step_up',
        outcome: 'success',
        origin,
        actorUserId: user.id,
        actorRole: user.role,
        details: { method: viaFactor ? 'mfa' : 'password' },
      });
      return { stepUpAt, aal: viaFactor ? 'aal2' : auth.aal };
    },
  };

  function checkSecondFactor(userId: string, factor: SecondFactor): Promise<boolean> {
    if (factor.code) return deps.mfa.verifyCode(userId, factor.code);
    if (factor.recoveryCode) return deps.mfa.useRecoveryCode(userId, factor.recoveryCode);
    return Promise.resolve(false);
  }
}

export type AuthService = ReturnType<typeof createAuthService>;
