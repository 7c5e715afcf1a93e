import Router from '@koa/router';
import { expect } from 'chai';
import Koa from 'koa';
import request from 'supertest';
import { routesBySegment } from './by-segment';
import { ROUTER_OPTIONS } from './route';

/** A router whose routes answer with their own template, as the matched route. */
function answering(...paths: string[]): Router {
  const router = new Router(ROUTER_OPTIONS);
  for (const path of paths)
    router.get(path, (ctx) => {
      ctx.body = { route: ctx._matchedRoute };
    });
  return router;
}

describe('routesBySegment', () => {
  const app = new Koa();
  app.use(
    routesBySegment('/v1', [
      answering('/patients/me', '/patients/:patientId'),
      answering('/consultations', '/providers/me/queue'),
      answering('/patients/:patientId/consultations'),
    ]),
  );
  const api = request(app.callback());

  it('answers every route of every router, also of routers that serve more than one segment', async () => {
    const cases = {
      '/v1/patients/me': '/v1/patients/me',
      '/v1/patients/0b8c9d0e': '/v1/patients/:patientId',
      '/v1/patients/0b8c9d0e/consultations': '/v1/patients/:patientId/consultations',
      '/v1/consultations': '/v1/consultations',
      '/v1/providers/me/queue': '/v1/providers/me/queue',
    };
    for (const [path, route] of Object.entries(cases)) {
      const response = await api.get(path);
      expect(response.status, path).to.equal(200);
      expect(response.body, path).to.deep.equal({ route });
    }
  });

  it("answers 405 with the methods a segment's route takes, and 501 for a method no router knows", async () => {
    const refused = await api.post('/v1/patients/me');
    expect(refused.status).to.equal(405);
    expect(refused.headers.allow).to.equal('HEAD, GET');
    expect((await api.propfind('/v1/consultations')).status).to.equal(501);
  });

  it('answers 404 under an unknown segment, outside the prefix and for a prefix in another case', async () => {
    for (const path of ['/v1/nowhere', '/v1/', '/v1', '/patients/me', '/V1/patients/me', '/v1/PATIENTS/me'])
      expect((await api.get(path)).status, path).to.equal(404);
    expect((await api.propfind('/v1/nowhere')).status).to.equal(501);
  });

  it('refuses a route whose first segment is a parameter, which no segment could pick', () => {
    expect(() => routesBySegment('/v1', [answering('/:anything/me')])).to.throw(
      `a route's first segment must be a literal, not ":anything"`,
    );
  });
});
