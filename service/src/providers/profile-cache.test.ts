import { expect } from 'chai';
import { api } from '../../test/support/http';
import { createProvider, type Identity } from '../../test/support/identities';
import { cacheHits, untilServedFromMemory, useTwoInstances } from '../../test/support/local-cache';
import { variantRuntime, type TestRuntime } from '../../test/support/runtime';

const profileOf = (runtime: TestRuntime, provider: Identity) =>
  api(runtime).get('/v1/providers/me').set(provider.headers);
const servedFromMemory = (runtime: TestRuntime, provider: Identity) =>
  untilServedFromMemory(runtime, 'provider_profile_local', () => profileOf(runtime, provider));
const setAvailability = (runtime: TestRuntime, provider: Identity, availability: string) =>
  api(runtime).put('/v1/providers/me/availability').set(provider.headers).send({ availability });

describe('provider profile cache: a change on one instance is seen on the others at once', function () {
  this.timeout(60_000);
  const instances = useTwoInstances();

  it('answers from memory, and an availability set on one instance is what the other answers next', async () => {
    const { one, other } = instances;
    const provider = await createProvider(one);
    await servedFromMemory(other, provider);
    await servedFromMemory(one, provider);
    expect((await profileOf(other, provider)).body.availability).to.equal('offline');

    expect((await setAvailability(one, provider, 'available')).status).to.equal(200);

    const seen = await profileOf(other, provider);
    expect(seen.body).to.include({ availability: 'available', version: 2 });
    expect(seen.headers.etag).to.equal('W/"2"');
  });

  it('sees a profile edit made on the other instance, with its new version', async () => {
    const { one, other } = instances;
    const provider = await createProvider(one);
    await servedFromMemory(one, provider);
    const before = await profileOf(one, provider);

    const edited = await api(other)
      .patch('/v1/providers/me')
      .set(provider.headers)
      .set('If-Match', before.headers.etag!)
      .send({ acceptingPatients: false });
    expect(edited.status).to.equal(200);

    const after = await profileOf(one, provider);
    expect(after.body).to.include({ acceptingPatients: false, version: before.body.version + 1 });
  });

  it('counts look-ups of the shared entry: a fill on one instance is a hit on the other', async () => {
    const { one, other } = instances;
    const provider = await createProvider(one);
    expect((await profileOf(one, provider)).status).to.equal(200);
    const sharedHits = await cacheHits(other, 'provider_profile');
    expect((await profileOf(other, provider)).status).to.equal(200);
    expect(await cacheHits(other, 'provider_profile')).to.equal(sharedHits + 1);
  });
});

describe('provider profile cache without Redis (one instance, in-process cache)', () => {
  it('answers a changed availability at once', async () => {
    const alone = await variantRuntime({ REDIS_URL: undefined });
    expect(alone.cache.backend).to.equal('memory');
    const provider = await createProvider(alone);
    expect((await profileOf(alone, provider)).body.availability).to.equal('offline');
    expect((await profileOf(alone, provider)).body.availability).to.equal('offline');
    expect((await setAvailability(alone, provider, 'busy')).status).to.equal(200);
    expect((await profileOf(alone, provider)).body.availability).to.equal('busy');
  });
});
