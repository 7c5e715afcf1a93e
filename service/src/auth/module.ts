import type { Sequelize } from 'sequelize';
import type { RecordAuditEvent } from '../audit/recorder';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Cache } from '../platform/cache';
import type { FieldCipher } from '../platform/field-cipher';
import { defineRoute, mountRoutes } from '../routing/route';
import { createAccessTokens } from './access-tokens';
import { createAttempts } from './attempts';
import { createAuthenticator, type ExternalVerifier } from './authenticator';
import type { AuthConfig } from './config';
import { createMfaChallenges } from './mfa-challenges';
import { createMfaService } from './mfa';
import { mfaRoutes } from './mfa-routes';
import { createPasswordResets } from './password-reset';
import { createPasswordHasher } from './passwords';
import { createRefreshTokens } from './refresh-tokens';
import { authRoutes } from './routes';
import { createAuthService } from './service';
import { securityEventRecorder } from './security-events';
import { createSessionCache } from './session-cache';
import { createSessionStore } from './sessions';
import { createThrottle } from './throttle';

export interface AuthModuleDeps {
  readonly config: AuthConfig;
  readonly sequelize: Sequelize;
  readonly cache: Cache;
  readonly metrics: Metrics;
  /** The audit trail's recorder: security events are audit events. */
  readonly recordAuditEvent: RecordAuditEvent;
  readonly logger: Logger;
  readonly cipher: FieldCipher;
  readonly externalVerifier?: ExternalVerifier;
}

/** Identity and access, wired: the authenticator for the guards, the routers, and what accounts need. */
export function createAuthModule(deps: AuthModuleDeps) {
  const { config, sequelize, cache, metrics } = deps;
  const hasher = createPasswordHasher(config.passwordHashConcurrency, config.passwordHashMaxWaitMs);
  const tokens = createAccessTokens(config);
  const sessions = createSessionStore(sequelize, createSessionCache(cache, deps.logger, metrics), config);
  const refreshTokens = createRefreshTokens(sequelize, sessions, config);
  const mfa = createMfaService(sequelize, deps.cipher);
  const recordSecurityEvent = securityEventRecorder(deps.recordAuditEvent);
  const attempts = createAttempts(createThrottle(cache, config.rateLimits), metrics, recordSecurityEvent);
  const challenges = createMfaChallenges(config.mfaChallengeTtlSeconds);
  const service = createAuthService({
    config,
    sequelize,
    metrics,
    recordSecurityEvent,
    hasher,
    tokens,
    sessions,
    refreshTokens,
    mfa,
    challenges,
    attempts,
  });
  const passwordResets = createPasswordResets({
    config,
    sequelize,
    recordSecurityEvent,
    hasher,
    sessions,
    attempts,
  });

  metrics.samplers.add(async () => {
    try {
      metrics.auth.activeSessions.set(await sessions.countActive());
    } catch (error) {
      deps.logger.warn('could not count active sessions', { error: (error as Error).message });
    }
  });

  const wellKnown = mountRoutes([
    defineRoute({
      method: 'get',
      path: '/.well-known/jwks.json',
      summary: 'The public keys that verify access tokens',
      tags: ['auth'],
      guards: 'public',
      server: '/',
      responses: { 200: { description: 'A JSON Web Key Set' } },
      handler: (ctx) => {
        ctx.set('Cache-Control', 'public, max-age=300');
        ctx.body = tokens.jwks;
      },
    }),
  ]);

  return {
    authenticator: createAuthenticator(tokens, sessions, deps.externalVerifier),
    apiRouters: [authRoutes(service, passwordResets), mfaRoutes(mfa, sessions, metrics, recordSecurityEvent)],
    rootRouters: [wellKnown],
    hasher,
    passwordResets,
    attempts,
    recordSecurityEvent,
    /** For account management: disabling an account revokes its sessions. */
    sessions,
  };
}

export type AuthModule = ReturnType<typeof createAuthModule>;
