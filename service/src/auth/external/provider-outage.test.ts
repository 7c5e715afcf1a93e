import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import {
  createLinkedUser,
  startIdentityProvider,
  verifierFor,
  type FakeIdentityProvider,
} from '../../../test/support/identity-provider';
import { type TestRuntime } from '../../../test/support/runtime';
import { createMetrics } from '../../observability/metrics';
import { AppError } from '../../platform/errors';
import { linkedUserFinder } from './linked-user';
import { createExternalVerifier, type ExternalVerifier, type ExternalVerifierOptions } from './verifier';
import { useTestApp, type TestApp } from '../../../test/support/test-app';
import { until } from '../../../test/support/until';

/**
 * The provider fails while the service runs: stopped (connections refused) or slow (answers after the
 * timeout). Tokens signed with keys already fetched keep verifying; calls that need the provider fail
 * with a 503, then fail fast once the breaker opens; the breaker closes again when the provider is back.
 */
const BREAKER = 'supabase_jwks';
const tuning: ExternalVerifierOptions['jwks'] = {
  refreshAfterMs: 3_600_000,
  unknownKidCooldownMs: 0,
  // Long enough that the breaker is still open at the next test's call on a loaded machine (300 ms was not:
  // it half-opened in between and the call timed out instead of being refused), short enough to wait out.
  breaker: { resetTimeoutMs: 1500, volumeThreshold: 2 },
};

/** The breaker gauge as the service's own /metrics endpoint reports it. */
async function breakerGauge(runtime: TestRuntime): Promise<number | undefined> {
  const response = await request(runtime.app.callback()).get('/metrics').expect(200);
  const match = new RegExp(`^carewatch_circuit_breaker_state\\{breaker="${BREAKER}"\\} (\\d+)$`, 'm').exec(
    response.text,
  );
  return match ? Number(match[1]) : undefined;
}

/** The breaker's reset timer lets it half open after resetTimeoutMs. */
const untilHalfOpen = (runtime: TestRuntime) =>
  until('half opening', async () => (await breakerGauge(runtime)) === 1);

/** Expects a 503 for want of the provider, and returns the breaker's (or the request's) error code. */
async function expectProviderUnavailable(verification: Promise<unknown>): Promise<string | undefined> {
  const error = await verification.then(
    () => expect.fail('verification succeeded without the provider'),
    (failure: unknown) => failure,
  );
  expect(error)
    .to.be.instanceOf(AppError)
    .and.to.include({ status: 503, code: 'identity_provider_unavailable' });
  return ((error as AppError).cause as NodeJS.ErrnoException).code;
}

async function setUp(app: TestApp, overrides: Partial<ExternalVerifierOptions>) {
  const { runtime } = app;
  const provider = await startIdentityProvider();
  const kid = await provider.addKey('ES256');
  const { userId, subject } = await createLinkedUser(runtime);
  const verifier = verifierFor(runtime, provider, { jwks: tuning, ...overrides });
  const cachedKidToken = await provider.sign(subject, { kid });
  expect(await verifier.verify(cachedKidToken), 'the keys load while the provider is up').to.include({
    userId,
  });
  expect(await breakerGauge(runtime)).to.equal(0);
  /** A token signed with a key the service has not seen: verifying it needs the provider. */
  const unknownKidToken = async () => provider.sign(subject, { kid: await provider.addKey('ES256', false) });
  return { runtime, provider, verifier, userId, subject, cachedKidToken, unknownKidToken };
}

describe('external identity provider: provider stopped', () => {
  const app = useTestApp();
  let ctx: Awaited<ReturnType<typeof setUp>>;
  let verifier: ExternalVerifier;
  let provider: FakeIdentityProvider;

  before(async () => {
    ctx = await setUp(app, { timeoutMs: 2000 });
    ({ verifier, provider } = ctx);
    await provider.stop();
  });

  after(async () => {
    verifier.close();
    await provider.stop();
  });

  it('keeps verifying tokens signed with cached keys', async () => {
    expect(await verifier.verify(ctx.cachedKidToken)).to.include({ userId: ctx.userId });
  });

  it('answers 503 when the provider is needed, and opens the breaker after repeated failures', async () => {
    await expectProviderUnavailable(verifier.verify(await ctx.unknownKidToken()));
    expect(await breakerGauge(ctx.runtime), 'one failure among few calls does not open it').to.equal(0);
    await expectProviderUnavailable(verifier.verify(await ctx.unknownKidToken()));
    expect(await breakerGauge(ctx.runtime)).to.equal(2);
    const opened = ctx.runtime
      .logLines()
      .filter((line) => line.message === 'circuit breaker opened' && line.breaker === BREAKER);
    expect(opened).to.have.length.greaterThan(0);
  });

  it('fails fast while open: the breaker refuses the call itself, and cached keys still verify', async () => {
    expect(await expectProviderUnavailable(verifier.verify(await ctx.unknownKidToken()))).to.equal(
      'EOPENBREAKER',
    );
    expect(await verifier.verify(ctx.cachedKidToken)).to.include({ userId: ctx.userId });
  });

  it('lets another instance, started during the outage, verify with the keys shared in the cache', async () => {
    const other = createExternalVerifier(
      {
        issuer: provider.issuer,
        audience: 'authenticated',
        jwtSecret: undefined,
        jwksUrl: provider.jwksUrl,
        timeoutMs: 2000,
        jwks: tuning,
      },
      // Its own metrics registry, as another process would have; the same Redis and database.
      {
        cache: ctx.runtime.cache,
        metrics: createMetrics(),
        logger: ctx.runtime.logger,
        findLinkedUser: linkedUserFinder(ctx.runtime.models.User),
      },
    );
    try {
      expect(await other.verify(ctx.cachedKidToken)).to.include({ userId: ctx.userId });
    } finally {
      other.close();
    }
  });

  it('closes the breaker again through a half-open probe once the provider is back', async () => {
    await provider.start();
    const rotatedKid = await provider.addKey('ES256');
    await untilHalfOpen(ctx.runtime);
    const requestsBefore = provider.requests;
    expect(await verifier.verify(await provider.sign(ctx.subject, { kid: rotatedKid }))).to.include({
      userId: ctx.userId,
    });
    expect(provider.requests).to.equal(requestsBefore + 1);
    expect(await breakerGauge(ctx.runtime)).to.equal(0);
  });
});

describe('external identity provider: provider slow', () => {
  const app = useTestApp();
  let ctx: Awaited<ReturnType<typeof setUp>>;
  let verifier: ExternalVerifier;
  let provider: FakeIdentityProvider;
  const timeouts = () =>
    ctx.runtime
      .logLines()
      .filter((line) => line.message === 'circuit breaker call timed out' && line.breaker === BREAKER).length;

  before(async () => {
    ctx = await setUp(app, { timeoutMs: 200 });
    ({ verifier, provider } = ctx);
    provider.delayMs = 10_000;
  });

  after(async () => {
    verifier.close();
    await provider.stop();
  });

  it("cuts the call at the breaker's timeout, while tokens with cached keys keep verifying", async () => {
    const timeoutsBefore = timeouts();
    expect(await expectProviderUnavailable(verifier.verify(await ctx.unknownKidToken()))).to.equal(
      'ETIMEDOUT',
    );
    expect(timeouts()).to.equal(timeoutsBefore + 1);
    expect(await verifier.verify(ctx.cachedKidToken)).to.include({ userId: ctx.userId });
  });

  it('opens after repeated timeouts, then fails fast without asking the provider', async () => {
    expect(await expectProviderUnavailable(verifier.verify(await ctx.unknownKidToken()))).to.equal(
      'ETIMEDOUT',
    );
    expect(await breakerGauge(ctx.runtime)).to.equal(2);
    const requestsBefore = provider.requests;
    expect(await expectProviderUnavailable(verifier.verify(await ctx.unknownKidToken()))).to.equal(
      'EOPENBREAKER',
    );
    expect(provider.requests, 'the open breaker did not call the provider').to.equal(requestsBefore);
    expect(await verifier.verify(ctx.cachedKidToken)).to.include({ userId: ctx.userId });
  });

  it('closes again when the provider answers in time', async () => {
    provider.delayMs = 0;
    const rotatedKid = await provider.addKey('ES256');
    await untilHalfOpen(ctx.runtime);
    expect(await verifier.verify(await provider.sign(ctx.subject, { kid: rotatedKid }))).to.include({
      userId: ctx.userId,
    });
    expect(await breakerGauge(ctx.runtime)).to.equal(0);
  });
});

describe('external identity provider: stale keys', () => {
  const app = useTestApp();
  it('are refreshed in the background: the request that notices does not wait for the provider', async () => {
    // Stale at once, and a provider slower than the breaker's timeout: a request that waited would fail.
    const ctx = await setUp(app, { timeoutMs: 5000, jwks: { ...tuning, refreshAfterMs: 0 } });
    try {
      ctx.provider.delayMs = 60_000;
      const requestsBefore = ctx.provider.requests;
      expect(await ctx.verifier.verify(ctx.cachedKidToken)).to.include({ userId: ctx.userId });
      await until(
        'the background refresh reaching the provider',
        () => ctx.provider.requests === requestsBefore + 1,
      );
    } finally {
      ctx.verifier.close();
      await ctx.provider.stop();
    }
  });
});

describe('external identity provider: stale keys during an outage', () => {
  const app = useTestApp();
  it('keep verifying; refresh attempts stop while the breaker is open and resume with its probe', async () => {
    const ctx = await setUp(app, { timeoutMs: 2000, jwks: { ...tuning, refreshAfterMs: 0 } });
    const failedRefreshes = () =>
      ctx.runtime
        .logLines()
        .filter(
          (line) => line.message === 'identity provider keys not refreshed; the cached keys stay in use',
        ).length;
    try {
      await ctx.provider.stop();
      for (let failure = 1; failure <= 2; failure += 1) {
        const before = failedRefreshes();
        expect(await ctx.verifier.verify(ctx.cachedKidToken)).to.include({ userId: ctx.userId });
        await until('a failed background refresh', () => failedRefreshes() === before + 1);
      }
      expect(await breakerGauge(ctx.runtime)).to.equal(2);

      const whileOpen = failedRefreshes();
      for (let attempt = 0; attempt < 5; attempt += 1) {
        expect(await ctx.verifier.verify(ctx.cachedKidToken)).to.include({ userId: ctx.userId });
      }
      await sleep(50);
      expect(failedRefreshes(), 'no refresh attempted (nor logged) while open').to.equal(whileOpen);

      await ctx.provider.start();
      await untilHalfOpen(ctx.runtime);
      const requestsBefore = ctx.provider.requests;
      expect(await ctx.verifier.verify(ctx.cachedKidToken)).to.include({ userId: ctx.userId });
      await until('the probe closing the breaker', async () => (await breakerGauge(ctx.runtime)) === 0);
      expect(ctx.provider.requests).to.equal(requestsBefore + 1);
    } finally {
      ctx.verifier.close();
      await ctx.provider.stop();
    }
  });
});
