import { expect } from 'chai';
import { api } from '../../test/support/http';
import { useTestApp } from '../../test/support/test-app';

describe('the request rate limit of every route (OWASP API4)', () => {
  const app = useTestApp();

  it('counts every request of an address, says what is left, and answers 429 with Retry-After past it', async () => {
    const runtime = await app.variant({ API_RATE_LIMIT_POINTS: '3', API_RATE_LIMIT_WINDOW: '60' });
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await api(runtime).get('/v1/me'));
    expect(answers.map((answer) => answer.status)).to.deep.equal([401, 401, 401, 429]);
    expect(answers.map((answer) => answer.headers['ratelimit-remaining'])).to.deep.equal([
      '2',
      '1',
      '0',
      '0',
    ]);
    for (const answer of answers) {
      expect(answer.headers['ratelimit-limit']).to.equal('3');
      expect(Number(answer.headers['ratelimit-reset'])).to.be.within(1, 60);
    }
    const limited = answers[3]!;
    expect(limited.type).to.equal('application/problem+json');
    expect(Number(limited.headers['retry-after'])).to.be.within(1, 60);
    // The orchestrator's probes are never limited: an overloaded API must not look dead.
    expect((await api(runtime).get('/healthz')).status).to.equal(200);
  });
});
