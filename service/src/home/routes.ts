import type Router from '@koa/router';
import { z } from 'zod';
import { defineRoute, mountRoutes } from '../routing/route';

/** What `GET /` answers: where a newcomer goes next. Nothing here depends on who asks. */
const HOME = Object.freeze({
  name: 'Carewatch',
  description: 'Telehealth backend: patients, providers, consultations, prescriptions, HIPAA audit.',
  links: {
    api: '/v1',
    openapi: '/openapi.json',
    health: '/healthz',
    readiness: '/readyz',
    metrics: '/metrics',
    jwks: '/.well-known/jwks.json',
    console: '/ops',
  },
});

const Home = z.object({
  name: z.string().max(100),
  description: z.string().max(500),
  links: z.record(z.string().max(50), z.string().max(200)),
});

export function homeRoutes(): Router {
  return mountRoutes([
    defineRoute({
      method: 'get',
      path: '/',
      summary: 'Where to start: links to the API, this document, health and the operations console',
      tags: ['meta'],
      guards: 'public',
      server: '/',
      responses: { 200: { description: 'Links', schema: Home } },
      handler: (ctx) => {
        ctx.body = HOME;
      },
    }),
  ]);
}
