import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { DEVELOPMENT_ENCRYPTION_KEY } from '../config';
import { createFieldCipher } from '../platform/field-cipher';
import { createTestDatabase } from '../../test/support/environment';
import { api } from '../../test/support/http';
import { createPatient, type Identity } from '../../test/support/identities';
import { createTestRuntime, type TestRuntime } from '../../test/support/runtime';
import { rotateEncryptedValues, valuesPerKey } from './rotation';

const NEW_KEY = `k2:${randomBytes(32).toString('base64')}`;
const PATIENTS = 8;

describe('field-encryption key rotation (npm run keys:rotate)', function () {
  this.timeout(180_000);
  // Its own database: the rotation rewrites every encrypted value, and the shared runtime knows one key.
  let oldKeyOnly: TestRuntime;
  let during: TestRuntime;
  let newKeyOnly: TestRuntime;
  let patients: { who: Identity; allergy: string }[];

  const readAllergies = async (runtime: TestRuntime, who: Identity) => {
    const response = await api(runtime).get('/v1/patients/me').set(who.headers).expect(200);
    return (response.body as { allergies: string[] }).allergies;
  };

  before(async () => {
    const url = await createTestDatabase('key_rotation');
    oldKeyOnly = createTestRuntime(url);
    await oldKeyOnly.migrator.up();
    patients = [];
    for (let i = 0; i < PATIENTS; i += 1) {
      const who = await createPatient(oldKeyOnly);
      const allergy = `allergy-${i}-${randomBytes(4).toString('hex')}`;
      const etag = (await api(oldKeyOnly).get('/v1/patients/me').set(who.headers).expect(200)).headers.etag;
      await api(oldKeyOnly)
        .patch('/v1/patients/me')
        .set(who.headers)
        .set('If-Match', String(etag))
        .send({ allergies: [allergy] })
        .expect(200);
      patients.push({ who, allergy });
    }
    // Step 1 and 2: the new key is added to the ring and made active; the old one stays to decrypt.
    during = createTestRuntime(url, {
      ENCRYPTION_KEYS: `${DEVELOPMENT_ENCRYPTION_KEY},${NEW_KEY}`,
      ENCRYPTION_ACTIVE_KEY_ID: 'k2',
    });
    // Step 4: once the rotation is done, the old key is removed.
    newKeyOnly = createTestRuntime(url, { ENCRYPTION_KEYS: NEW_KEY, ENCRYPTION_ACTIVE_KEY_ID: 'k2' });
  });
  after(async () => {
    await Promise.all([oldKeyOnly.close(), during.close(), newKeyOnly.close()]);
  });

  it('re-encrypts every value under load, resumably, every value readable all along; then the old key can go', async () => {
    expect((await valuesPerKey(during.sequelize)).patients).to.deep.equal({ dev: PATIENTS });
    const { keys } = during.config.encryption;
    const cipher = createFieldCipher(keys, 'k2');

    // A run stopped after its first batch (as a killed process would be) ...
    const stop = new Error('stopped');
    const stopped = await rotateEncryptedValues(during.sequelize, cipher, 'k2', {
      batchSize: 2,
      onProgress: () => {
        throw stop;
      },
    }).catch((error: unknown) => error);
    expect(stopped).to.equal(stop);
    const partly = (await valuesPerKey(during.sequelize)).patients!;
    expect(partly.k2).to.equal(2);

    // ... and run again, while patients keep reading and writing their records through the service.
    let rotating = true;
    const load = (async () => {
      let requests = 0;
      while (rotating) {
        for (const { who, allergy } of patients) {
          expect(await readAllergies(during, who)).to.deep.equal([allergy]);
          requests += 1;
        }
      }
      return requests;
    })();
    const progress: number[] = [];
    const rewritten = await rotateEncryptedValues(during.sequelize, cipher, 'k2', {
      batchSize: 2,
      onProgress: ({ remaining }) => progress.push(remaining),
    });
    rotating = false;
    expect(await load).to.be.greaterThan(0);
    expect(rewritten).to.equal(PATIENTS - 2);
    expect(progress.at(-1)).to.equal(0);
    expect((await valuesPerKey(during.sequelize)).patients).to.deep.equal({ k2: PATIENTS });

    // A third run finds nothing left to do.
    expect(await rotateEncryptedValues(during.sequelize, cipher, 'k2')).to.equal(0);

    // Without the old key, everything still decrypts.
    for (const { who, allergy } of patients)
      expect(await readAllergies(newKeyOnly, who)).to.deep.equal([allergy]);
  });
});
