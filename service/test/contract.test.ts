import { expect } from 'chai';
import request from 'supertest';
import { OPENAPI_PATH } from '../src/api-document';
import { contractMismatches } from './support/contract';
import { useTestApp } from './support/test-app';

describe('the HTTP contract: every response the suite receives is checked against /openapi.json', () => {
  const app = useTestApp();

  it('finds an undocumented status, a body off its schema and an error that is not problem+json', async () => {
    const patient = await app.patient();
    const me = await app.http().get('/v1/me').set(patient.headers).expect(200);
    expect(await contractMismatches(app.runtime.app, 'get', '/v1/me', me)).to.deep.equal([]);

    const undocumented = { ...me, status: 402 };
    expect(await contractMismatches(app.runtime.app, 'get', '/v1/me', undocumented)).to.include(
      'status 402 is not documented',
    );
    const offSchema = { ...me, body: { ...me.body, extra: 'field' } };
    const [bodyMismatch] = await contractMismatches(app.runtime.app, 'get', '/v1/me', offSchema);
    expect(bodyMismatch).to.match(/^200 body: .*additional properties/);
    const plainError = { ...me, status: 401, headers: { 'content-type': 'text/plain' } };
    expect(await contractMismatches(app.runtime.app, 'get', '/v1/me', plainError)).to.include(
      '401 is not application/problem+json (text/plain)',
    );
  });

  it('answers problem+json 415 to a GET that carries a body, and documents it', async () => {
    const patient = await app.patient();
    const response = await app
      .http()
      .get('/v1/me')
      .set(patient.headers)
      .set('Content-Type', 'application/json')
      .send('{"x":1}')
      .expect(415);
    expect(response.headers['content-type']).to.match(/^application\/problem\+json/);
  });

  it('refuses a body with fields on an operation that takes none (422), accepts an empty one', async () => {
    const patient = await app.patient();
    await app.http().post('/v1/auth/logout').set(patient.headers).send({ everywhere: true }).expect(422);
    await app.http().post('/v1/auth/logout').set(patient.headers).send({}).expect(204);
  });

  it('documents 413 and 415 on every write and 503 on every operation', async () => {
    const document = (await request(app.runtime.app.callback()).get(OPENAPI_PATH).expect(200)).body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const statuses = Object.keys(operation.responses);
        expect(statuses, `${method} ${path}`).to.include.members(['415', '503']);
        if (['post', 'put', 'patch'].includes(method))
          expect(statuses, `${method} ${path}`).to.include('413');
      }
    }
  });

  it('a body too large is a documented problem+json 413', async () => {
    await app
      .http()
      .post('/v1/auth/login')
      .send({ email: 'a@b.test', password: 'x'.repeat(2_000_000) })
      .expect(413);
  });
});
