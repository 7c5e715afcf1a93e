import { expect } from 'chai';
import request from 'supertest';
import { z } from 'zod';
import { routeDeclarationsOf } from '../api-document';
import { declaredRoutes } from '../platform/route-metadata';
import { appWith } from '../../test/support/audit';
import { useTestApp } from '../../test/support/test-app';
import { defineRoute, mountRoutes } from './route';

const Params = z.strictObject({ id: z.uuid() });
const Query = z.strictObject({ limit: z.coerce.number().int().min(1).default(20) });
const Body = z.strictObject({ name: z.string().min(1) });
const ID = '6f1c5b9e-2d3a-4c1e-9f7a-0b8c9d0e1f2a';

const echo = defineRoute({
  method: 'post',
  path: '/route-test/:id',
  summary: 'Echo the parsed input',
  guards: 'public',
  input: { params: Params, query: Query, body: Body },
  responses: { 200: { description: 'The input' } },
  handler: (ctx, input) => {
    ctx.body = { id: input.params.id, limit: input.query.limit, name: input.body.name };
  },
});

describe('defineRoute', () => {
  const testApp = useTestApp();
  it('hands the handler its params, query and body parsed by the declared schemas', async () => {
    const app = appWith(testApp.runtime, [mountRoutes([echo])]);
    const response = await request(app.callback())
      .post(`/v1/route-test/${ID}`)
      .send({ name: 'x' })
      .expect(200);
    expect(response.body).to.deep.equal({ id: ID, limit: 20, name: 'x' });
  });

  it('refuses input a schema rejects with 422 naming the invalid field, before the handler runs', async () => {
    const app = appWith(testApp.runtime, [mountRoutes([echo])]);
    const cases = [
      { path: '/v1/route-test/not-a-uuid', body: { name: 'x' }, pointer: '#/params/id' },
      { path: `/v1/route-test/${ID}?limit=0`, body: { name: 'x' }, pointer: '#/query/limit' },
      { path: `/v1/route-test/${ID}`, body: { name: '' }, pointer: '#/body/name' },
    ];
    for (const { path, body, pointer } of cases) {
      const response = await request(app.callback()).post(path).send(body).expect(422);
      expect(response.type).to.equal('application/problem+json');
      const pointers = (response.body as { errors: { pointer: string }[] }).errors.map((e) => e.pointer);
      expect(pointers, path).to.deep.equal([pointer]);
    }
  });

  it('puts the route on the router with its guard and its OpenAPI declaration', () => {
    const router = mountRoutes([echo]);
    const [mounted] = declaredRoutes(router);
    expect(mounted).to.include({ path: '/route-test/:id', guard: 'public' });
    expect(routeDeclarationsOf([router])).to.deep.equal([echo.declaration]);
    expect(echo.declaration).to.include({ security: 'public', params: Params, query: Query, body: Body });
  });
});
