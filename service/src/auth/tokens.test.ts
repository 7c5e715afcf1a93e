import { expect } from 'chai';
import { SignJWT, UnsecuredJWT, decodeProtectedHeader, importJWK } from 'jose';
import { ConfigError, loadConfig } from '../config';
import { api } from '../../test/support/http';
import { newSigningKey, productionEnv } from '../../test/support/production-env';
import { createPatient } from '../../test/support/identities';
import type { TestRuntime } from '../../test/support/runtime';
import { DEVELOPMENT_JWT_SIGNING_KEY } from './config';
import { useTestApp } from '../../test/support/test-app';

/** Signs claims like ours with any key, to forge every kind of wrong token. */
async function forge(
  claims: Record<string, unknown>,
  key: Record<string, unknown> = DEVELOPMENT_JWT_SIGNING_KEY,
  header = {},
) {
  const privateKey = await importJWK(key as never, 'EdDSA');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid as string, typ: 'at+jwt', ...header })
    .sign(privateKey);
}

describe('access tokens', () => {
  const app = useTestApp();
  let claims: Record<string, unknown>;
  let validToken: string;

  before(async () => {
    const patient = await app.patient();
    validToken = patient.accessToken;
    const [, payload = ''] = validToken.split('.');
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  });

  const statusWith = async (token: string) =>
    (await app.http().get('/v1/me').set('Authorization', `Bearer ${token}`)).status;

  it('publishes the public half of the signing keys at /.well-known/jwks.json', async () => {
    const response = await app.http().get('/.well-known/jwks.json');
    expect(response.status).to.equal(200);
    const [key] = response.body.keys as Record<string, string>[];
    expect(key).to.include({
      kid: DEVELOPMENT_JWT_SIGNING_KEY.kid,
      kty: 'OKP',
      crv: 'Ed25519',
      alg: 'EdDSA',
      use: 'sig',
    });
    expect(key).not.to.have.property('d');
    expect(decodeProtectedHeader(validToken)).to.include({
      alg: 'EdDSA',
      kid: DEVELOPMENT_JWT_SIGNING_KEY.kid,
    });
    expect(claims).to.include({ iss: 'https://carewatch.local', aud: 'carewatch-api', aal: 'aal1' });
    expect(claims.exp).to.equal((claims.iat as number) + 900);
    expect(claims.sid).to.be.a('string');
  });

  it('accepts the token it issued, and a forged copy of the same claims shows the forge works', async () => {
    expect(await statusWith(validToken)).to.equal(200);
    expect(await statusWith(await forge(claims))).to.equal(200);
  });

  const wrongTokens: [string, () => Promise<string> | string][] = [
    ['no token at all', () => ''],
    ['a malformed token', () => 'not.a.jwt'],
    ['random bytes', () => Buffer.from('x'.repeat(64)).toString('base64url')],
    ['alg: none', () => new UnsecuredJWT(claims).encode()],
    ['a wrong audience', () => forge({ ...claims, aud: 'someone-else' })],
    ['a wrong issuer', () => forge({ ...claims, iss: 'https://evil.example' })],
    [
      'an expired token',
      () =>
        forge({
          ...claims,
          iat: Math.floor(Date.now() / 1000) - 2000,
          exp: Math.floor(Date.now() / 1000) - 1000,
        }),
    ],
    [
      'a tampered payload',
      () => {
        const [header, , signature] = validToken.split('.');
        const payload = Buffer.from(JSON.stringify({ ...claims, aal: 'aal2' })).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    [
      'a tampered signature',
      () => `${validToken.slice(0, -4)}${validToken.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`,
    ],
    ['a key we never published', () => forge(claims, newSigningKey('rogue'))],
    ['our kid on another key', () => forge(claims, newSigningKey(DEVELOPMENT_JWT_SIGNING_KEY.kid))],
    ['another token type', () => forge(claims, DEVELOPMENT_JWT_SIGNING_KEY, { typ: 'JWT' })],
    [
      'a session that does not exist',
      () => forge({ ...claims, sid: '00000000-0000-4000-8000-000000000000' }),
    ],
    ['a session id that is not a uuid', () => forge({ ...claims, sid: "x' OR 1=1 --" })],
    [
      'another user in the same session',
      () => forge({ ...claims, sub: '00000000-0000-4000-8000-000000000000' }),
    ],
    ['an oversized token', () => 'a'.repeat(5000)],
  ];
  for (const [what, make] of wrongTokens) {
    it(`refuses ${what} with 401 problem+json`, async () => {
      const token = await make();
      const response = await app.http().get('/v1/me').set('Authorization', `Bearer ${token}`);
      expect(response.status).to.equal(401);
      expect(response.type).to.equal('application/problem+json');
      expect(response.headers['www-authenticate']).to.equal('Bearer');
    });
  }

  it('refuses a token sent with another scheme', async () => {
    expect((await app.http().get('/v1/me').set('Authorization', `Basic ${validToken}`)).status).to.equal(401);
  });
});

describe('signing key rotation', () => {
  const app = useTestApp();
  it('verifies tokens of the previous key during the overlap and signs with the newest', async () => {
    const before = app.runtime;
    const nextKey = newSigningKey('key-2');
    const during = await app.variant({
      JWT_SIGNING_KEYS: JSON.stringify([nextKey, DEVELOPMENT_JWT_SIGNING_KEY]),
    });
    const after = await app.variant({ JWT_SIGNING_KEYS: JSON.stringify([nextKey]) });

    const patient = await createPatient(before);
    expect((await api(during).get('/v1/me').set(patient.headers)).status).to.equal(200);
    const jwks = (await api(during).get('/.well-known/jwks.json')).body as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid)).to.deep.equal(['key-2', DEVELOPMENT_JWT_SIGNING_KEY.kid]);

    const login = await api(during)
      .post('/v1/auth/login')
      .send({ email: patient.email, password: patient.password });
    expect(decodeProtectedHeader(login.body.accessToken as string).kid).to.equal('key-2');
    expect(
      (await api(before).get('/v1/me').set('Authorization', `Bearer ${login.body.accessToken}`)).status,
    ).to.equal(401);
    // Once the old key is dropped, its tokens stop working.
    expect((await api(after).get('/v1/me').set(patient.headers)).status).to.equal(401);
    expect(
      (await api(after).get('/v1/me').set('Authorization', `Bearer ${login.body.accessToken}`)).status,
    ).to.equal(200);
  });

  it('rotates across several instances with no refused token: publish the new key first, then sign with it', async () => {
    const nextKey = newSigningKey('key-3');
    const kidsOf = async (instance: TestRuntime) =>
      ((await api(instance).get('/.well-known/jwks.json')).body as { keys: { kid: string }[] }).keys
        .map((key) => key.kid)
        .sort();
    // Step 1 rolled out on some instances: the new key listed second is published and verifies, but
    // does not sign. Step 2 on others: it is moved first and signs.
    const published = await app.variant({
      JWT_SIGNING_KEYS: JSON.stringify([DEVELOPMENT_JWT_SIGNING_KEY, nextKey]),
    });
    const signing = await app.variant({
      JWT_SIGNING_KEYS: JSON.stringify([nextKey, DEVELOPMENT_JWT_SIGNING_KEY]),
    });
    const patient = await createPatient(published);
    expect(decodeProtectedHeader(patient.accessToken).kid).to.equal(DEVELOPMENT_JWT_SIGNING_KEY.kid);
    const login = await api(signing)
      .post('/v1/auth/login')
      .send({ email: patient.email, password: patient.password });
    const bearer = { Authorization: `Bearer ${login.body.accessToken}` };
    expect(decodeProtectedHeader(login.body.accessToken as string).kid).to.equal('key-3');

    // Whichever instance a request or a JWKS fetch reaches, the token's key is known there.
    expect((await api(published).get('/v1/me').set(bearer)).status).to.equal(200);
    expect((await api(signing).get('/v1/me').set(patient.headers)).status).to.equal(200);
    expect(await kidsOf(published)).to.deep.equal(await kidsOf(signing));
    expect(await kidsOf(published)).to.include('key-3');
  });
});

describe('signing key configuration', () => {
  // Production settings with the signing key left at its (development) default.
  const production = { ...productionEnv(), JWT_SIGNING_KEYS: undefined };

  it('refuses the development signing key in production', () => {
    expect(() => loadConfig(production)).to.throw(
      ConfigError,
      /JWT_SIGNING_KEYS: the development signing key/,
    );
    expect(() =>
      loadConfig({ ...production, JWT_SIGNING_KEYS: JSON.stringify([newSigningKey('prod-1')]) }),
    ).not.to.throw();
  });

  it('reports keys that are not a JSON array of private JWKs', () => {
    expect(() => loadConfig({ JWT_SIGNING_KEYS: 'not json' })).to.throw(ConfigError, /JWT_SIGNING_KEYS/);
    expect(() => loadConfig({ JWT_SIGNING_KEYS: '[]' })).to.throw(ConfigError, /at least one key/);
    const key = newSigningKey('twice');
    expect(() => loadConfig({ JWT_SIGNING_KEYS: JSON.stringify([key, key]) })).to.throw(
      ConfigError,
      /own kid/,
    );
  });
});
