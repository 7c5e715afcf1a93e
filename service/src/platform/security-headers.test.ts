import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import helmet from 'helmet';
import Koa from 'koa';
import request from 'supertest';
import { securityHeaders } from './security-headers';

/** Headers that differ between the two servers for reasons other than helmet. */
const UNRELATED = new Set(['date', 'connection', 'keep-alive', 'content-length', 'content-type']);

const comparable = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !UNRELATED.has(name)));

describe('security headers: helmet decides them, applied from a recording', () => {
  let live: Server;
  after(() => live?.close());

  it('answers exactly the headers helmet itself sets on a live response, and removes X-Powered-By', async () => {
    live = createServer((req, res) => {
      res.setHeader('X-Powered-By', 'something');
      helmet()(req, res, () => res.end('ok'));
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => live.once('listening', resolve));
    const fromHelmet = await request(`http://127.0.0.1:${(live.address() as AddressInfo).port}`).get('/');

    const app = new Koa();
    app.use((ctx, next) => {
      ctx.set('X-Powered-By', 'something');
      return next();
    });
    app.use(securityHeaders());
    app.use((ctx) => {
      ctx.type = 'text/plain';
      ctx.body = 'ok';
    });
    const recorded = await request(app.callback()).get('/');

    expect(comparable(fromHelmet.headers)).to.have.property('strict-transport-security');
    expect(comparable(recorded.headers)).to.deep.equal(comparable(fromHelmet.headers));
    expect(recorded.headers).not.to.have.property('x-powered-by');
  });

  it('follows helmet options', async () => {
    const app = new Koa();
    app.use(securityHeaders({ frameguard: { action: 'deny' }, strictTransportSecurity: false }));
    app.use((ctx) => {
      ctx.body = 'ok';
    });
    const response = await request(app.callback()).get('/');
    expect(response.headers['x-frame-options']).to.equal('DENY');
    expect(response.headers).not.to.have.property('strict-transport-security');
  });
});
