import { expect } from 'chai';
import { api } from '../../test/support/http';
import { useTestApp } from '../../test/support/test-app';

const FRONTEND = 'https://app.carewatch.test';

describe('CORS: browsers on the allow-listed origins only, without credentials', () => {
  const app = useTestApp();

  it('answers a preflight from an allowed origin, cached, with no credentials', async () => {
    const runtime = await app.variant({
      CORS_ORIGINS: `${FRONTEND},https://admin.carewatch.test`,
      CORS_MAX_AGE: '600',
    });
    const preflight = await api(runtime)
      .options('/v1/patients/me')
      .set('Origin', FRONTEND)
      .set('Access-Control-Request-Method', 'PATCH')
      .set('Access-Control-Request-Headers', 'authorization,content-type,if-match');
    expect(preflight.status).to.equal(204);
    expect(preflight.headers['access-control-allow-origin']).to.equal(FRONTEND);
    expect(preflight.headers['access-control-max-age']).to.equal('600');
    expect(preflight.headers['access-control-allow-methods']).to.include('PATCH');
    expect(preflight.headers['access-control-allow-headers']).to.match(/If-Match/i);
    expect(preflight.headers).not.to.have.property('access-control-allow-credentials');

    const patient = await app.patient();
    const read = await api(runtime).get('/v1/me').set(patient.headers).set('Origin', FRONTEND).expect(200);
    expect(read.headers['access-control-allow-origin']).to.equal(FRONTEND);
    expect(read.headers['access-control-expose-headers']).to.include('ETag');
    expect(read.headers.vary).to.match(/Origin/);
  });

  it('gives any other origin no CORS headers, on answers and on errors alike', async () => {
    const runtime = await app.variant({ CORS_ORIGINS: FRONTEND });
    const preflight = await api(runtime)
      .options('/v1/patients/me')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'GET');
    expect(preflight.headers).not.to.have.property('access-control-allow-origin');
    const refused = await api(runtime).get('/v1/me').set('Origin', 'https://evil.example').expect(401);
    expect(refused.headers).not.to.have.property('access-control-allow-origin');
    const allowedError = await api(runtime).get('/v1/me').set('Origin', FRONTEND).expect(401);
    expect(allowedError.headers['access-control-allow-origin']).to.equal(FRONTEND);
  });

  it('allows no origin by default, and refuses a CORS_ORIGINS entry that is not an origin', async () => {
    const preflight = await api(app.runtime)
      .options('/v1/me')
      .set('Origin', FRONTEND)
      .set('Access-Control-Request-Method', 'GET');
    expect(preflight.headers).not.to.have.property('access-control-allow-origin');
    let problem: unknown;
    try {
      await app.variant({ CORS_ORIGINS: 'https://app.carewatch.test/path' });
    } catch (error) {
      problem = error;
    }
    expect(String(problem)).to.match(/CORS_ORIGINS/);
  });
});
