import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import helmet from 'helmet';
import Koa from 'koa';
import request from 'supertest';
import { API_HEADER_POLICY, documentHeaders, securityHeaders } from './security-headers';

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

  /** Headers that act only on a document a browser renders. */
  const DOCUMENT_ONLY = [
    'cross-origin-opener-policy',
    'origin-agent-cluster',
    'x-dns-prefetch-control',
    'x-download-options',
    'x-permitted-cross-domain-policies',
    'x-xss-protection',
  ];

  it('answers an API response with a policy that allows nothing, and without the document-only headers', async () => {
    const app = new Koa();
    app.use(securityHeaders(API_HEADER_POLICY));
    app.use((ctx) => {
      ctx.body = { ok: true };
    });
    const { headers } = await request(app.callback()).get('/');
    expect(headers).to.include({
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
    });
    expect(headers).to.not.have.any.keys(...DOCUMENT_ONLY);
  });

  it("gives a document helmet's defaults under its own policy, framed by no one, over the API's headers", async () => {
    const app = new Koa();
    app.use(securityHeaders(API_HEADER_POLICY));
    const page = documentHeaders({ defaultSrc: ["'none'"], scriptSrc: ["'self'"] });
    app.use((ctx) => {
      page(ctx);
      ctx.type = 'text/html';
      ctx.body = '<!doctype html>';
    });
    const { headers } = await request(app.callback()).get('/');
    expect(headers['content-security-policy']).to.equal(
      "default-src 'none';script-src 'self';frame-ancestors 'none'",
    );
    expect(headers['x-frame-options']).to.equal('DENY');
    expect(headers).to.include.all.keys(...DOCUMENT_ONLY, 'strict-transport-security');
  });
});
