import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import { z } from 'zod';
import { routeDeclarationsOf } from '../api-document';
import { useTestApp } from '../../test/support/test-app';
import { buildOpenApiDocument, openApiPath, type RouteDeclaration } from './openapi';

const info = { title: 'Carewatch', version: '1.0.0' };

/** The generated document, read loosely: the assertions are the type check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

async function validate(document: Record<string, unknown>) {
  return new Validator().validate(structuredClone(document));
}

describe('the OpenAPI document', () => {
  const testApp = useTestApp();
  /** What the service's routes declare about themselves. */
  const declaredByTheService = async () => routeDeclarationsOf(testApp.runtime.routers);
  it('is a valid OpenAPI 3.1 document for every route the service declares', async () => {
    const document = buildOpenApiDocument(info, await declaredByTheService());
    const result = await validate(document);
    expect(result.errors, JSON.stringify(result.errors)).to.equal(undefined);
    expect(result.valid).to.equal(true);
    expect(document.openapi).to.equal('3.1.0');
  });

  it('describes parameters, bodies, strict schemas, security, ETags and problems', async () => {
    const document = buildOpenApiDocument(info, await declaredByTheService()) as Loose;
    const accept = document.paths['/v1/consultations/{id}/accept'].post;
    expect(accept.parameters).to.deep.include({
      name: 'id',
      in: 'path',
      required: true,
      schema: accept.parameters[0].schema,
    });
    expect(accept.parameters[0].schema).to.include({ type: 'string', format: 'uuid' });
    expect(accept.security).to.deep.equal([{ bearerAuth: [] }]);
    expect(Object.keys(accept.responses)).to.include.members(['200', '401', '403', '404', '409', '422']);
    expect(accept.responses['409'].content['application/problem+json'].schema).to.deep.equal({
      $ref: '#/components/schemas/Problem',
    });

    const write = document.paths['/v1/prescriptions'].post.requestBody.content['application/json'].schema;
    expect(write.additionalProperties).to.equal(false);
    expect(write.properties.quantity).to.include({ type: 'integer', minimum: 1, maximum: 1000 });
    expect(write.required)
      .to.include.members(['consultationId', 'medication', 'dosage', 'quantity'])
      .and.not.include('refills');

    const update = document.paths['/v1/patients/me'].patch;
    expect(update.parameters).to.deep.include({
      name: 'If-Match',
      in: 'header',
      required: true,
      schema: { type: 'string', maxLength: 32 },
      description: 'W/"<version>"',
    });
    expect(Object.keys(update.responses)).to.include.members(['412', '428']);
    expect(update.responses['200'].headers.ETag).to.be.an('object');

    const list: { name: string }[] = document.paths['/v1/patients/me/consultations'].get.parameters;
    expect(list.find((p) => p.name === 'limit')).to.deep.include({
      in: 'query',
      required: false,
    });
  });

  it('refuses to declare one route twice and maps Koa parameters', () => {
    const route: RouteDeclaration = {
      method: 'get',
      path: '/a/:id',
      summary: 'A',
      security: 'public',
      params: z.strictObject({ id: z.string() }),
      responses: { 204: { description: 'None' } },
    };
    expect(() => buildOpenApiDocument(info, [route, route])).to.throw(/declared twice/);
    expect(openApiPath('/a/:id/b/:other')).to.equal('/a/{id}/b/{other}');
  });

  it('is checked by a validator that does find mistakes', async () => {
    const document = buildOpenApiDocument(info, await declaredByTheService()) as Loose;
    delete document.paths['/v1/consultations'].post.responses;
    document.info = { title: 'no version' };
    const result = await validate(document);
    expect(result.valid).to.equal(false);
  });
});
