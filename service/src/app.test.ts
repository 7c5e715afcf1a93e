import Router from '@koa/router';
import { expect } from 'chai';
import request from 'supertest';
import { createTestDatabase } from '../test/support/environment';
import { createTestRuntime } from '../test/support/runtime';
import { createPatient } from '../test/support/identities';
import { createApp } from './app';
import { useTestApp } from '../test/support/test-app';

const PROBLEM = /application\/problem\+json/;

describe('the HTTP skeleton', () => {
  const testApp = useTestApp();
  it('answers malformed JSON on any /v1 path with a 400 problem', async () => {
    const { app } = testApp.runtime;
    const response = await request(app.callback())
      .post('/v1/anything')
      .set('Content-Type', 'application/json')
      .send('{"broken": ');
    expect(response.status).to.equal(400);
    expect(response.headers['content-type']).to.match(PROBLEM);
    expect(response.body).to.include({ status: 400, code: 'malformed_json', title: 'Bad Request' });
    expect(response.body.instance).to.equal(`urn:carewatch:request:${response.headers['x-request-id']}`);
    expect(JSON.stringify(response.body)).not.to.include('broken');
  });

  it('answers a body over the limit with 413', async () => {
    const { app } = testApp.runtime;
    const response = await request(app.callback())
      .post('/v1/anything')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ padding: 'x'.repeat(200 * 1024) }));
    expect(response.status).to.equal(413);
    expect(response.headers['content-type']).to.match(PROBLEM);
    expect(response.body.code).to.equal('payload_too_large');
  });

  it('answers a body that is not JSON with 415', async () => {
    const { app } = testApp.runtime;
    const response = await request(app.callback())
      .post('/v1/anything')
      .set('Content-Type', 'text/plain')
      .send('hello');
    expect(response.status).to.equal(415);
    expect(response.headers['content-type']).to.match(PROBLEM);
    expect(response.body.code).to.equal('unsupported_media_type');
  });

  it('takes a POST with an empty body and no content type as having no body', async () => {
    const { app } = testApp.runtime;
    const response = await request(app.callback()).post('/v1/anything').set('Content-Length', '0');
    expect(response.status).to.equal(404);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const { app } = testApp.runtime;
    const response = await request(app.callback()).get('/v1/nowhere');
    expect(response.status).to.equal(404);
    expect(response.headers['content-type']).to.match(PROBLEM);
  });

  it('answers a method a route does not take with a 405 problem naming the methods it takes', async () => {
    const { app } = testApp.runtime;
    const response = await request(app.callback()).get('/v1/auth/login');
    expect(response.status).to.equal(405);
    expect(response.headers['content-type']).to.match(PROBLEM);
    expect(response.headers.allow).to.equal('POST');
    expect(response.body).to.include({ status: 405, code: 'http_error', title: 'Method Not Allowed' });
  });

  it('answers a method the API does not know with a 501 problem', async () => {
    const { app } = testApp.runtime;
    const response = await request(app.callback()).propfind('/v1/auth/login');
    expect(response.status).to.equal(501);
    expect(response.headers['content-type']).to.match(PROBLEM);
    expect(response.body).to.include({ status: 501, code: 'http_error', title: 'Not Implemented' });
  });

  it('keeps a well-formed request id and replaces a malformed one', async () => {
    const { app } = testApp.runtime;
    const kept = await request(app.callback()).get('/healthz').set('X-Request-Id', 'req-1234567890');
    expect(kept.headers['x-request-id']).to.equal('req-1234567890');
    const replaced = await request(app.callback())
      .get('/healthz')
      .set('X-Request-Id', 'bad id\twith "quotes"');
    expect(replaced.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
  });

  it('refuses a router mounted outside the API that serves a path under /v1/, which API requests skip', () => {
    const { config, logger, metrics } = testApp.runtime;
    const stray = new Router();
    stray.get('/v1/stray', (ctx) => {
      ctx.body = 'never reached';
    });
    expect(() =>
      createApp({ config, logger, metrics, isReady: async () => ({ degraded: [] }), rootRouters: [stray] }),
    ).to.throw('a router mounted outside the API serves /v1/stray');
  });

  it('answers the API only under /v1/ as written: an upper-case /V1/ is no route (404), never an answer without no-store', async () => {
    const patient = await createPatient(testApp.runtime);
    const own = await request(testApp.runtime.app.callback()).get('/v1/patients/me').set(patient.headers);
    expect(own.status).to.equal(200);
    expect(own.headers['cache-control']).to.equal('no-store');
    const shouted = await request(testApp.runtime.app.callback()).get('/V1/patients/me').set(patient.headers);
    expect(shouted.status).to.equal(404);
    expect(shouted.headers['content-type']).to.match(PROBLEM);
    expect(JSON.stringify(shouted.body)).not.to.include(patient.userId);
  });

  it('sends security headers', async () => {
    const { app } = testApp.runtime;
    const response = await request(app.callback()).get('/healthz');
    expect(response.headers).to.include.keys('strict-transport-security', 'x-content-type-options');
    expect(response.headers['content-security-policy']).to.equal("default-src 'none';frame-ancestors 'none'");
    expect(response.headers['x-powered-by']).to.equal(undefined);
  });

  it('is alive and ready on a migrated database', async () => {
    const { app } = testApp.runtime;
    expect((await request(app.callback()).get('/healthz')).status).to.equal(200);
    const ready = await request(app.callback()).get('/readyz');
    expect(ready.status).to.equal(200);
    expect(ready.body).to.deep.equal({ status: 'ready' });
    // What a load balancer's health check sees, for Prometheus, which does not scrape the balancer.
    expect((await request(app.callback()).get('/metrics')).text).to.match(/^carewatch_ready 1$/m);
  });

  it('is not ready while migrations are pending', async () => {
    const runtime = createTestRuntime(await createTestDatabase('pending'));
    try {
      const response = await request(runtime.app.callback()).get('/readyz');
      expect(response.status).to.equal(503);
      expect(response.body.reason).to.equal('migrations_pending');
      expect((await request(runtime.app.callback()).get('/metrics')).text).to.match(/^carewatch_ready 0$/m);
    } finally {
      await runtime.close();
    }
  });

  it('is not ready while the database is unreachable', async () => {
    const runtime = createTestRuntime('postgres://postgres@127.0.0.1:1/nowhere');
    try {
      const response = await request(runtime.app.callback()).get('/readyz');
      expect(response.status).to.equal(503);
      expect(response.body.reason).to.equal('database_unreachable');
    } finally {
      await runtime.close();
    }
  });

  it('measures requests by route template and writes one access-log line per request', async () => {
    const runtime = testApp.runtime;
    const requestId = `metrics-${Date.now()}`;
    await request(runtime.app.callback()).get('/readyz').set('X-Request-Id', requestId);
    const metrics = await request(runtime.app.callback()).get('/metrics');
    expect(metrics.text).to.match(
      /http_server_request_duration_seconds_count\{method="GET",route="\/readyz",status_code="200"\} \d+/,
    );
    expect(metrics.text).to.include('process_cpu_seconds_total').and.include('carewatch_db_pool_connections');
    expect(metrics.text).not.to.include('route="/v1/nowhere"');

    const lines = runtime.logLines().filter((line) => line.requestId === requestId);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ kind: 'access', method: 'GET', route: '/readyz', status: 200 });
  });
});
