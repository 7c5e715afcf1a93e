import { expect } from 'chai';
import type { FindOptions } from 'sequelize';
import {
  createLinkedUser,
  startIdentityProvider,
  verifierFor,
  type FakeIdentityProvider,
} from '../../test/support/identity-provider';
import { createAccessTokens } from './access-tokens';
import { createAuthenticator } from './authenticator';
import type { Authenticator } from './context';
import type { ExternalVerifier } from './external/verifier';
import { createSessionCache } from './session-cache';
import { createSessionStore, type SessionStore } from './sessions';
import { useTestApp } from '../../test/support/test-app';

describe('authenticator: external identity provider tokens', () => {
  const app = useTestApp();
  let provider: FakeIdentityProvider;
  let verifier: ExternalVerifier;
  let authenticator: Authenticator;
  let sessions: SessionStore;

  before(async () => {
    provider = await startIdentityProvider();
    verifier = verifierFor(app.runtime, provider);
    const { auth } = app.runtime.config;
    const sessionCache = createSessionCache(app.runtime.cache, app.runtime.logger, app.runtime.metrics);
    sessions = createSessionStore(app.runtime.sequelize, sessionCache, auth);
    authenticator = createAuthenticator(createAccessTokens(auth), sessions, (token) =>
      verifier.verify(token),
    );
  });

  after(async () => {
    await sessions.close();
    verifier.close();
    await provider.stop();
  });

  /** Authenticates a token of `linked`, counting the reads of its user row (by subject or by id). */
  async function authenticateCountingReads(linked: { userId: string; subject: string }) {
    const token = await provider.signWithSecret(linked.subject);
    let reads = 0;
    const count = ({ where }: FindOptions) => {
      const by = (where ?? {}) as Record<string, unknown>;
      if (by.externalSubject === linked.subject || by.id === linked.userId) reads++;
    };
    app.runtime.models.User.addHook('beforeFind', 'countLinkedUserReads', count);
    try {
      const auth = await authenticator.authenticate(token);
      return { auth, reads };
    } finally {
      app.runtime.models.User.removeHook('beforeFind', 'countLinkedUserReads');
    }
  }

  it('lets an active linked account in with its own role, at aal1 without a session, reading its row once', async () => {
    const linked = await createLinkedUser(app.runtime, { role: 'provider' });
    expect(await authenticateCountingReads(linked)).to.deep.equal({
      auth: { userId: linked.userId, role: 'provider', sessionId: null, aal: 'aal1', stepUpAt: null },
      reads: 1,
    });
  });

  it('refuses locked, disabled and unlinked accounts, each after one read', async () => {
    const subjects = [
      await createLinkedUser(app.runtime, { status: 'locked' }),
      await createLinkedUser(app.runtime, { status: 'disabled' }),
      { userId: '00000000-0000-4000-8000-000000000000', subject: '00000000-0000-4000-8000-000000000001' },
    ];
    for (const linked of subjects)
      expect(await authenticateCountingReads(linked), linked.subject).to.deep.equal({
        auth: undefined,
        reads: 1,
      });
  });
});
