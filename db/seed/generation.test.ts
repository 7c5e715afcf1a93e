import { expect } from 'chai';
import { CONSULTATION_STATUSES } from '../../service/src/consultations/model';
import { createFieldCipher } from '../../service/src/platform/field-cipher';
import { SPECIALTIES } from '../../service/src/providers/model';
import { planConsultation } from './consultation-plan';
import { buildSeedOptions } from './options';
import { createSeedRandom, DAY_MS, MINUTE_MS } from './random';
import { generateSeedData, type SeedData } from './seed';
import { cutAt } from './timeline';

const cipher = createFieldCipher(new Map([['k1', Buffer.alloc(32, 7)]]), 'k1');
const END = new Date('2025-06-02T18:30:00.000Z');
const TTL_MS = 30 * MINUTE_MS;
const options = (runTag: string, seed = 3) =>
  buildSeedOptions({
    patients: 40,
    providers: 6,
    seed,
    runTag,
    end: END,
    days: 90,
    inFlight: 10,
    requestTtlSeconds: 1800,
    batchSize: 100,
  });

/** The data as plain JSON with every encrypted value opened: ciphertexts differ run to run (random IVs). */
const opened = (data: SeedData) =>
  JSON.parse(
    JSON.stringify(data, (_key, value: unknown) =>
      typeof value === 'string' && value.startsWith('v1.') ? cipher.decrypt(value) : value,
    ),
  ) as SeedData;

describe('seed generation', () => {
  it('makes identical data, ids included, for the same seed and run tag', () => {
    expect(opened(generateSeedData(options('same'), cipher, 'hash'))).to.deep.equal(
      opened(generateSeedData(options('same'), cipher, 'hash')),
    );
  });

  it('gives another run tag other ids and emails but the same people, and another seed other people', () => {
    const first = opened(generateSeedData(options('tag-one'), cipher, 'hash'));
    const second = opened(generateSeedData(options('tag-two'), cipher, 'hash'));
    const ids = (data: SeedData) => data.patients.map((patient) => patient.account.id);
    expect(ids(second).filter((id) => ids(first).includes(id))).to.be.empty;
    expect(second.patients.map((patient) => patient.account.email)).to.not.include(
      first.patients[0]!.account.email,
    );
    const names = (data: SeedData) => data.patients.map((patient) => patient.profile.family_name);
    expect(names(second)).to.deep.equal(names(first));
    expect(names(opened(generateSeedData(options('tag-one', 4), cipher, 'hash')))).to.not.deep.equal(
      names(first),
    );
  });

  it('reaches every consultation status by cutting planned visits at later moments', () => {
    const { faker } = createSeedRandom(9, 'plans');
    const reached = new Set<string>();
    for (let visit = 0; visit < 500; visit++) {
      const requestedAt = new Date(END.getTime() - DAY_MS);
      const plan = planConsultation(faker, faker.helpers.arrayElement(SPECIALTIES), requestedAt, TTL_MS);
      for (const minutes of [0, 3, 8, 15, 25, 40, 90]) {
        reached.add(
          cutAt('requested', requestedAt, plan, new Date(requestedAt.getTime() + minutes * MINUTE_MS)).status,
        );
      }
    }
    expect([...reached]).to.have.members([...CONSULTATION_STATUSES]);
  });

  it('expires only the requests nobody accepted within the TTL', () => {
    const { faker } = createSeedRandom(9, 'expiry');
    const plans = Array.from({ length: 500 }, () => planConsultation(faker, 'psychiatry', END, TTL_MS));
    const waited = (step: { at: Date } | undefined) => (step ? step.at.getTime() - END.getTime() : undefined);
    const expired = plans.filter((plan) => plan.some((step) => step.to === 'expired'));
    const accepted = plans
      .map((plan) => waited(plan.find((step) => step.to === 'accepted')))
      .filter((wait) => wait !== undefined);
    expect(expired).to.not.be.empty;
    expect(accepted).to.not.be.empty;
    for (const plan of expired)
      expect(plan.map((step) => [step.to, waited(step)])).to.deep.equal([['expired', TTL_MS]]);
    for (const wait of accepted) expect(wait).to.be.lessThan(TTL_MS);
  });
});
