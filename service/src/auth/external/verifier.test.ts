import { expect } from 'chai';
import { SignJWT, UnsecuredJWT } from 'jose';
import {
  AUDIENCE,
  createLinkedUser,
  startIdentityProvider,
  verifierFor,
  type FakeIdentityProvider,
} from '../../../test/support/identity-provider';
import type { ExternalVerifier } from './verifier';
import { useTestApp } from '../../../test/support/test-app';

/** Replaces one base64url part of a compact JWT (0 header, 1 payload, 2 signature). */
function withPart(token: string, index: number, part: string): string {
  const parts = token.split('.');
  parts[index] = part;
  return parts.join('.');
}

const encodeJson = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('external identity provider: token verification', () => {
  const app = useTestApp();
  let provider: FakeIdentityProvider;
  let verifier: ExternalVerifier;
  let es256Kid: string;
  let linked: { userId: string; subject: string };

  before(async () => {
    provider = await startIdentityProvider();
    es256Kid = await provider.addKey('ES256');
    verifier = verifierFor(app.runtime, provider);
    linked = await createLinkedUser(app.runtime);
  });

  after(async () => {
    verifier.close();
    await provider.stop();
  });

  it('accepts an HS256 token signed with the project secret for a linked account, keeping none of its contact claims', async () => {
    const token = await provider.signWithSecret(linked.subject, {}, { email: 'someone@example.test' });
    // No email in the identity: a contact detail kept in memory could reach a log line or an error.
    expect(await verifier.verify(token)).to.deep.equal({
      subject: linked.subject,
      userId: linked.userId,
      role: 'patient',
      status: 'active',
    });
  });

  it('accepts ES256 and RS256 tokens signed with keys from the JWKS', async () => {
    const rs256Kid = await provider.addKey('RS256');
    for (const kid of [es256Kid, rs256Kid]) {
      const identity = await verifier.verify(await provider.sign(linked.subject, { kid }));
      expect(identity, kid).to.deep.equal({
        subject: linked.subject,
        userId: linked.userId,
        role: 'patient',
        status: 'active',
      });
    }
  });

  it('answers the role and status of the linked account as stored, a locked one included', async () => {
    const locked = await createLinkedUser(app.runtime, { status: 'locked', role: 'provider' });
    // Linked, so accepted here: the authenticator is the one that refuses an account that is not active.
    expect(await verifier.verify(await provider.signWithSecret(locked.subject))).to.deep.equal({
      subject: locked.subject,
      userId: locked.userId,
      role: 'provider',
      status: 'locked',
    });
  });

  it('refuses a valid token whose subject is linked to no account, or to a disabled one', async () => {
    const disabled = await createLinkedUser(app.runtime, { status: 'disabled' });
    for (const subject of ['00000000-0000-4000-8000-000000000000', disabled.subject]) {
      expect(await verifier.verify(await provider.sign(subject, { kid: es256Kid }))).to.equal(undefined);
      expect(await verifier.verify(await provider.signWithSecret(subject))).to.equal(undefined);
    }
  });

  it('refuses a token from another issuer or for another audience', async () => {
    const wrong = [
      await provider.sign(linked.subject, { kid: es256Kid, issuer: 'https://other.supabase.co/auth/v1' }),
      await provider.signWithSecret(linked.subject, { issuer: 'supabase' }),
      await provider.sign(linked.subject, { kid: es256Kid, audience: 'anon' }),
      await provider.signWithSecret(linked.subject, { audience: 'service_role' }),
    ];
    for (const token of wrong) expect(await verifier.verify(token)).to.equal(undefined);
  });

  it('refuses an expired token, and one without an expiry', async () => {
    const expired = await provider.sign(linked.subject, {
      kid: es256Kid,
      expiresIn: Math.floor(Date.now() / 1000) - 60,
    });
    expect(await verifier.verify(expired)).to.equal(undefined);
    const timeless = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(linked.subject)
      .setIssuer(provider.issuer)
      .setAudience(AUDIENCE)
      .sign(new TextEncoder().encode(provider.jwtSecret));
    expect(await verifier.verify(timeless)).to.equal(undefined);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const unsigned = new UnsecuredJWT({})
      .setSubject(linked.subject)
      .setIssuer(provider.issuer)
      .setAudience(AUDIENCE)
      .setExpirationTime('1h')
      .encode();
    expect(await verifier.verify(unsigned)).to.equal(undefined);
    // The same, with the "none" algorithm spelled in another case, as some libraries accepted it.
    expect(await verifier.verify(withPart(unsigned, 0, encodeJson({ alg: 'None', typ: 'JWT' })))).to.equal(
      undefined,
    );
  });

  it('refuses a token whose signature or claims were tampered with', async () => {
    const other = await createLinkedUser(app.runtime);
    for (const token of [
      await provider.sign(linked.subject, { kid: es256Kid }),
      await provider.signWithSecret(linked.subject),
    ]) {
      const [, payload = '', signature = ''] = token.split('.');
      const flipped = (signature.startsWith('A') ? 'B' : 'A') + signature.slice(1);
      expect(await verifier.verify(withPart(token, 2, flipped))).to.equal(undefined);
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      expect(
        await verifier.verify(withPart(token, 1, encodeJson({ ...claims, sub: other.subject }))),
      ).to.equal(undefined);
    }
  });

  it('refuses algorithm confusion: an HS256 token keyed with a published public key', async () => {
    const publicKeyBytes = new TextEncoder().encode(JSON.stringify(provider.publicJwk(es256Kid)));
    const confused = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: es256Kid })
      .setSubject(linked.subject)
      .setIssuer(provider.issuer)
      .setAudience(AUDIENCE)
      .setExpirationTime('1h')
      .sign(publicKeyBytes);
    expect(await verifier.verify(confused)).to.equal(undefined);
  });

  it('accepts only the algorithms whose key source is configured', async () => {
    const jwksOnly = verifierFor(app.runtime, provider, { jwtSecret: undefined });
    const secretOnly = verifierFor(app.runtime, provider, { jwksUrl: undefined });
    try {
      const hs256 = await provider.signWithSecret(linked.subject);
      const es256 = await provider.sign(linked.subject, { kid: es256Kid });
      expect(await jwksOnly.verify(hs256), 'HS256 without a secret').to.equal(undefined);
      expect(await jwksOnly.verify(es256)).to.include({ userId: linked.userId });
      expect(await secretOnly.verify(es256), 'ES256 without a JWKS').to.equal(undefined);
      expect(await secretOnly.verify(hs256)).to.include({ userId: linked.userId });
    } finally {
      jwksOnly.close();
      secretOnly.close();
    }
  });

  it('refuses garbage without throwing', async () => {
    for (const token of ['', 'not-a-token', 'a.b.c', `${encodeJson({ alg: 'HS256' })}.e30.`]) {
      expect(await verifier.verify(token), token).to.equal(undefined);
    }
  });

  it('refreshes the JWKS once for an unknown kid: a rotated key is accepted, a forged kid refused, and forging is rate limited', async () => {
    // A provider of its own, so its request count is this test's alone.
    const rotating = await startIdentityProvider();
    const fresh = verifierFor(app.runtime, rotating);
    try {
      const oldKid = await rotating.addKey('ES256');
      expect(await fresh.verify(await rotating.sign(linked.subject, { kid: oldKid }))).to.include({
        userId: linked.userId,
      });
      expect(rotating.requests).to.equal(1);

      const newKid = await rotating.addKey('ES256');
      expect(await fresh.verify(await rotating.sign(linked.subject, { kid: newKid }))).to.include({
        userId: linked.userId,
      });
      expect(rotating.requests, 'the unknown kid fetched the JWKS again').to.equal(2);

      // Signed with a real key that the provider never published: the kid stays unknown.
      const unpublished = await rotating.addKey('ES256', false);
      expect(await fresh.verify(await rotating.sign(linked.subject, { kid: unpublished }))).to.equal(
        undefined,
      );
      expect(await fresh.verify(await rotating.sign(linked.subject, { kid: unpublished }))).to.equal(
        undefined,
      );
      expect(
        rotating.requests,
        'a second unknown kid within the cooldown does not reach the provider',
      ).to.equal(2);
    } finally {
      fresh.close();
      await rotating.stop();
    }
  });

  it('never writes the token, subject or email to the log', async () => {
    const token = await provider.signWithSecret(linked.subject, {}, { email: 'private.person@example.test' });
    await verifier.verify(token);
    await verifier.verify(withPart(token, 2, 'x'));
    const log = JSON.stringify(app.runtime.logLines());
    expect(log).to.not.include(token.split('.')[2]);
    expect(log).to.not.include(linked.subject);
    expect(log).to.not.include('private.person');
    expect(log).to.include('external token refused');
  });
});
