import { expect } from 'chai';
import { api } from '../../test/support/http';
import { createPatient } from '../../test/support/identities';
import { useTestApp } from '../../test/support/test-app';
import { createPasswordHasher } from './passwords';

const settle = <T>(work: Promise<T>[]) => Promise.allSettled(work);
const refusals = (results: PromiseSettledResult<unknown>[]) =>
  results.filter(
    (result) =>
      result.status === 'rejected' &&
      (result.reason as { status?: number; code?: string }).status === 503 &&
      (result.reason as { code?: string }).code === 'password_hashing_overloaded',
  );

describe('password hashing under overload', function () {
  this.timeout(60_000);
  const app = useTestApp();

  it('refuses hashes whose expected wait exceeds the bound, serves the rest, and recovers', async () => {
    const hasher = createPasswordHasher(1, 60);
    const results = await settle(Array.from({ length: 30 }, (_, index) => hasher.hash(`password-${index}`)));
    const served = results.filter((result) => result.status === 'fulfilled');
    expect(refusals(results).length + served.length).to.equal(30);
    expect(served.length).to.be.greaterThan(0);
    expect(refusals(results)).to.not.be.empty;
    // Once the queue has drained, the next hash is served again.
    expect(await hasher.hash('after-the-storm')).to.match(/^\$argon2id\$/);
  });

  it('queues every hash when no bound is set (the CLIs and test helpers)', async () => {
    const hasher = createPasswordHasher(1);
    const results = await settle(Array.from({ length: 8 }, (_, index) => hasher.hash(`password-${index}`)));
    expect(results.every((result) => result.status === 'fulfilled')).to.equal(true);
  });

  it('answers a login storm past the bound with 503 problem+json and Retry-After, without counting failures', async () => {
    const runtime = await app.variant({ PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_MAX_WAIT_MS: '1' });
    const patient = await createPatient(runtime);
    const responses = await Promise.all(
      Array.from({ length: 12 }, () =>
        api(runtime).post('/v1/auth/login').send({ email: patient.email, password: patient.password }),
      ),
    );
    const refused = responses.filter((response) => response.status === 503);
    expect(refused).to.not.be.empty;
    expect(responses.filter((response) => response.status === 200)).to.not.be.empty;
    expect(responses.every((response) => [200, 503].includes(response.status))).to.equal(true);
    expect(refused[0]!.headers['content-type']).to.contain('application/problem+json');
    expect(refused[0]!.headers['retry-after']).to.equal('1');
    expect(refused[0]!.body).to.include({ status: 503, code: 'password_hashing_overloaded' });
    // An overloaded service is not a wrong password: the account is still open.
    const again = await api(runtime)
      .post('/v1/auth/login')
      .send({ email: patient.email, password: patient.password });
    expect(again.status).to.equal(200);
  });
});
