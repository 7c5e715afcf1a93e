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
    const missing = mounted
      .filter(({ method, path }) => !document.paths[path]?.[method])
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(missing, `routes missing from the OpenAPI document:\n${missing.join('\n')}`).to.deep.equal([]);
  });

  it('places routes outside /v1 under their own server', async () => {
    const runtime = app.runtime;
    const document = (await request(runtime.app.callback()).get(OPENAPI_PATH)).body as Document;
    expect(document.paths[OPENAPI_PATH]).to.deep.include({ servers: [{ url: '/', 'x-internal': false }] });
    expect(document.paths['/consultations/{id}/accept']).to.not.have.property('servers');
  });
});
