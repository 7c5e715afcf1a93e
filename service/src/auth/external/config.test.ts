import { expect } from 'chai';
import { problemsOf, productionEnv } from '../../../test/support/production-env';
import { loadConfig } from '../../config';

const ISSUER = 'https://abcdefgh.supabase.co/auth/v1';
const JWKS_URL = `${ISSUER}/.well-known/jwks.json`;
const SECRET = 'a-supabase-project-jwt-secret-of-40-chars!';
const production = productionEnv();

describe('configuration of the external identity provider', () => {
  it('is off when no SUPABASE_* variable is set', () => {
    expect(loadConfig({}).externalIdentity).to.equal(undefined);
  });

  it('reads the issuer, audience, keys and timeout, with defaults', () => {
    expect(
      loadConfig({ SUPABASE_ISSUER: ISSUER, SUPABASE_JWKS_URL: JWKS_URL }).externalIdentity,
    ).to.deep.equal({
      issuer: ISSUER,
      audience: 'authenticated',
      jwtSecret: undefined,
      jwksUrl: JWKS_URL,
      timeoutMs: 2000,
    });
    const custom = loadConfig({
      SUPABASE_ISSUER: ISSUER,
      SUPABASE_JWT_SECRET: SECRET,
      SUPABASE_AUDIENCE: 'carewatch',
      SUPABASE_TIMEOUT_MS: '750',
    });
    expect(custom.externalIdentity).to.include({ jwtSecret: SECRET, audience: 'carewatch', timeoutMs: 750 });
  });

  it('needs an issuer and at least one way to check signatures', () => {
    expect(problemsOf({ SUPABASE_JWKS_URL: JWKS_URL })).to.deep.equal([
      'SUPABASE_ISSUER: is required when SUPABASE_JWT_SECRET or SUPABASE_JWKS_URL is set',
    ]);
    expect(problemsOf({ SUPABASE_ISSUER: ISSUER })).to.deep.equal([
      'SUPABASE_JWKS_URL: SUPABASE_JWKS_URL or SUPABASE_JWT_SECRET is required when SUPABASE_ISSUER is set',
    ]);
  });

  it('refuses a short secret, a bad timeout and a JWKS URL that is not http(s)', () => {
    const problems = problemsOf({
      SUPABASE_ISSUER: ISSUER,
      SUPABASE_JWT_SECRET: 'short',
      SUPABASE_JWKS_URL: 'ftp://example.test/jwks',
      SUPABASE_TIMEOUT_MS: '0',
    });
    expect(problems.map((problem) => problem.split(':')[0])).to.have.members([
      'SUPABASE_JWT_SECRET',
      'SUPABASE_JWKS_URL',
      'SUPABASE_TIMEOUT_MS',
    ]);
  });

  it('requires an https JWKS URL in production', () => {
    const insecure = JWKS_URL.replace('https:', 'http:');
    expect(problemsOf({ ...production, SUPABASE_ISSUER: ISSUER, SUPABASE_JWKS_URL: insecure })).to.deep.equal(
      ['SUPABASE_JWKS_URL: must be https in production'],
    );
    expect(problemsOf({ ...production, SUPABASE_ISSUER: ISSUER, SUPABASE_JWKS_URL: JWKS_URL })).to.deep.equal(
      [],
    );
    expect(
      problemsOf({ SUPABASE_ISSUER: ISSUER, SUPABASE_JWKS_URL: insecure }),
      'http is fine in development',
    ).to.deep.equal([]);
  });
});
