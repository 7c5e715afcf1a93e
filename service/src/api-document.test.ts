import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import request from 'supertest';
import { OPENAPI_PATH } from './api-document';
import { openApiPath } from './platform/openapi';
import { declaredRoutes } from './platform/route-metadata';
import { useTestApp } from '../test/support/test-app';

interface Document {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
}

describe('GET /openapi.json', () => {
  const app = useTestApp();
  it('serves a valid OpenAPI 3.1 document without authentication', async () => {
    const runtime = app.runtime;
    const response = await request(runtime.app.callback()).get(OPENAPI_PATH).expect(200);
    expect(response.type).to.equal('application/json');
    const result = await new Validator().validate(structuredClone(response.body as Record<string, unknown>));
    expect(result.errors, JSON.stringify(result.errors)).to.equal(undefined);
    expect(result.valid).to.equal(true);
    expect((response.body as Document).openapi).to.equal('3.1.0');
  });

  it('documents every route of every router the service mounts', async () => {
    const runtime = app.runtime;
    const document = (await request(runtime.app.callback()).get(OPENAPI_PATH)).body as Document;
    const mounted = runtime.routers.flatMap((router) =>
      declaredRoutes(router).flatMap((route) =>
        route.methods.map((method) => ({ method: method.toLowerCase(), path: openApiPath(route.path) })),
      ),
    );
    expect(mounted.length).to.be.greaterThan(30);
    // The API routers are mounted under /v1, the others at the root; the document names paths in full.
    const documented = ({ method, path }: { method: string; path: string }) =>
      document.paths[`/v1${path}`]?.[method] ?? document.paths[path]?.[method];
    const missing = mounted
      .filter((route) => !documented(route))
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(missing, `routes missing from the OpenAPI document:\n${missing.join('\n')}`).to.deep.equal([]);
  });

  it('names every path in full under one server at the root, so /openapi.json is not read as /v1/…', async () => {
    const runtime = app.runtime;
    const document = (await request(runtime.app.callback()).get(OPENAPI_PATH)).body as Document & {
      servers: { url: string }[];
    };
    expect(document.servers.map(({ url }) => url)).to.deep.equal(['/']);
    expect(document.paths).to.have.property(OPENAPI_PATH);
    expect(document.paths).to.have.property('/v1/consultations/{id}/accept');
    expect(document.paths).not.to.have.property('/consultations/{id}/accept');
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/v1/v1'))).to.deep.equal([]);
  });

  it('states the password rules where a password is chosen', async () => {
    const runtime = app.runtime;
    const document = (await request(runtime.app.callback()).get(OPENAPI_PATH)).body as Document;
    const register = document.paths['/v1/auth/register']?.post as {
      requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } };
    };
    const password = register.requestBody.content['application/json'].schema.properties.password;
    expect(password).to.include({ minLength: 12, maxLength: 128 });
    expect((password as { description: string }).description).to.include('common passwords');
  });
});

describe('GET /', () => {
  const app = useTestApp();
  it('answers JSON with links to the API, its document, health and the console', async () => {
    const runtime = app.runtime;
    const response = await request(runtime.app.callback()).get('/').expect(200);
    expect(response.type).to.equal('application/json');
    expect(response.body).to.deep.include({
      links: {
        api: '/v1',
        openapi: OPENAPI_PATH,
        health: '/healthz',
        readiness: '/readyz',
        metrics: '/metrics',
        jwks: '/.well-known/jwks.json',
        console: '/ops',
      },
    });
  });
});
