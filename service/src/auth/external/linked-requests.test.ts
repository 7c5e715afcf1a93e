import { expect } from 'chai';
import { api } from '../../../test/support/http';
import { createPatient } from '../../../test/support/identities';
import {
  createLinkedUser,
  startIdentityProvider,
  type FakeIdentityProvider,
} from '../../../test/support/identity-provider';
import type { TestRuntime } from '../../../test/support/runtime';
import { useTestApp } from '../../../test/support/test-app';

/**
 * The provider's tokens as the API sees them: the guards route a token whose issuer is not ours to the
 * external verifier (auth/authenticator.ts), and a linked, active account gets through without a local
 * session. Local login and local tokens never ask the provider, so its outage cannot stop them.
 */
describe('external identity provider: requests with its tokens', () => {
  const app = useTestApp();
  let runtime: TestRuntime;
  let provider: FakeIdentityProvider;

  before(async () => {
    provider = await startIdentityProvider();
    runtime = await app.variant({
      SUPABASE_ISSUER: provider.issuer,
      SUPABASE_JWT_SECRET: provider.jwtSecret,
      SUPABASE_JWKS_URL: provider.jwksUrl,
    });
  });

  after(() => provider.stop());

  const me = (token: string) => api(runtime).get('/v1/me').set('Authorization', `Bearer ${token}`);

  it('lets a linked account through the guards as itself, at aal1 and without a local session', async () => {
    const linked = await createLinkedUser(runtime);
    for (const token of [
      await provider.signWithSecret(linked.subject),
      await provider.sign(linked.subject, { kid: await provider.addKey('ES256') }),
    ]) {
      const response = await me(token);
      expect(response.status).to.equal(200);
      expect(response.body).to.deep.include({ id: linked.userId, role: 'patient' });
      expect(response.body.session).to.deep.equal({ id: null, aal: 'aal1', stepUpAt: null });
    }
  });

  it("carries the linked account's own role", async () => {
    const linked = await createLinkedUser(runtime, { role: 'provider' });
    const response = await me(await provider.signWithSecret(linked.subject));
    expect(response.status).to.equal(200);
    expect(response.body).to.deep.include({ id: linked.userId, role: 'provider' });
  });

  it('refuses the tokens of disabled, locked and unlinked accounts with 401 problem+json', async () => {
    const disabled = await createLinkedUser(runtime, { status: 'disabled' });
    const locked = await createLinkedUser(runtime, { status: 'locked' });
    for (const subject of [disabled.subject, locked.subject, '00000000-0000-4000-8000-000000000000']) {
      const response = await me(await provider.signWithSecret(subject));
      expect(response.status).to.equal(401);
      expect(response.type).to.equal('application/problem+json');
      expect(response.body.code).to.equal('invalid_token');
    }
  });

  it('refuses a step-up with a provider token: there is no local session to raise', async () => {
    const linked = await createLinkedUser(runtime);
    const response = await api(runtime)
      .post('/v1/auth/step-up')
      .set('Authorization', `Bearer ${await provider.signWithSecret(linked.subject)}`)
      .send({ password: 'not-a-password-at-all' });
    expect(response.status).to.equal(401);
    expect(response.type).to.equal('application/problem+json');
    expect(response.body.code).to.equal('session_required');
  });

  it('keeps local login and local tokens working while the provider is down; its tokens needing keys get 503', async () => {
    const linked = await createLinkedUser(runtime);
    const neverFetched = await provider.sign(linked.subject, { kid: await provider.addKey('ES256') });
    await provider.stop();

    const patient = await createPatient(runtime);
    expect((await api(runtime).get('/v1/me').set(patient.headers)).status).to.equal(200);

    const response = await me(neverFetched);
    expect(response.status).to.equal(503);
    expect(response.type).to.equal('application/problem+json');
    expect(response.body.code).to.equal('identity_provider_unavailable');
  });
});
