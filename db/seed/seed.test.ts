import argon2 from 'argon2';
import { expect } from 'chai';
import { Pool } from 'pg';
import { CONSULTATION_STATUSES } from '../../service/src/consultations/model';
import { createFieldCipher, type FieldCipher } from '../../service/src/platform/field-cipher';
import { PRESCRIPTION_STATUSES } from '../../service/src/prescriptions/model';
import { SPECIALTIES } from '../../service/src/providers/model';
import { createTestDatabase, dropDatabase } from '../../service/test/support/environment';
import { createTestRuntime, type TestRuntime } from '../../service/test/support/runtime';
import { hashSeedPassword, SEED_PASSWORD } from './accounts';
import { buildSeedOptions } from './options';
import { seed, type SeedSummary } from './seed';
import { consultationViolations, prescriptionViolations } from './test/consistency';
import { runContent } from './test/content';

const END = new Date('2025-03-14T15:00:00.000Z');
const TTL_SECONDS = 1800;
const optionsFor = (runTag: string, size: { patients: number; providers: number }, seedNumber = 11) =>
  buildSeedOptions({
    ...size,
    seed: seedNumber,
    runTag,
    end: END,
    days: 90,
    inFlight: 40,
    requestTtlSeconds: TTL_SECONDS,
    batchSize: 64,
  });
const SMALL = { patients: 200, providers: 8 };

describe('the synthetic data seed', function () {
  this.timeout(120_000);
  let url: string;
  let runtime: TestRuntime;
  let pool: Pool;
  let cipher: FieldCipher;
  let passwordHash: string;
  let summary: SeedSummary;

  const rows = async <Row extends object>(sql: string, params: unknown[] = []) =>
    (await pool.query<Row>(sql, params)).rows;
  const countOf = async (sql: string, params: unknown[] = []) =>
    Number((await rows<{ count: string }>(sql, params))[0]!.count);

  before(async () => {
    url = await createTestDatabase('seed');
    runtime = createTestRuntime(url, { CONSULTATION_REQUEST_TTL: String(TTL_SECONDS) });
    await runtime.migrator.up();
    pool = new Pool({ connectionString: url, max: 2 });
    cipher = createFieldCipher(runtime.config.encryption.keys, runtime.config.encryption.activeKeyId);
    passwordHash = await hashSeedPassword();
    summary = await seed(pool, cipher, passwordHash, optionsFor('run-a', SMALL));
    // A second run with the same seed in the same database, and a small roster that leaves specialties unstaffed.
    await seed(pool, cipher, passwordHash, optionsFor('run-b', SMALL));
    await seed(pool, cipher, passwordHash, optionsFor('run-c', { patients: 30, providers: 3 }, 5));
  });

  after(async () => {
    await pool?.end();
    await runtime?.close();
    if (url) await dropDatabase(url);
  });

  it('writes the accounts, profiles and records it reports, with every status of both state machines', async () => {
    const byRole = await rows<{ role: string; count: string }>(
      `SELECT role, count(*) FROM users WHERE email LIKE '%.run-a@%' GROUP BY role ORDER BY role`,
    );
    expect(byRole).to.deep.equal([
      { role: 'patient', count: '200' },
      { role: 'provider', count: '8' },
    ]);
    const ofRunA = `patient_id IN (SELECT id FROM users WHERE email LIKE '%.run-a@%')`;
    expect(
      await countOf(
        `SELECT count(*) FROM patients WHERE user_id IN (SELECT id FROM users WHERE email LIKE '%.run-a@%')`,
      ),
    ).to.equal(200);
    expect(await countOf(`SELECT count(*) FROM consultations WHERE ${ofRunA}`)).to.equal(
      summary.counts.consultations,
    );
    expect(await countOf(`SELECT count(*) FROM prescriptions WHERE ${ofRunA}`)).to.equal(
      summary.counts.prescriptions,
    );
    expect(summary.counts.consultations).to.be.greaterThan(200);
    expect(Object.keys(summary.consultationsByStatus)).to.have.members([...CONSULTATION_STATUSES]);
    expect(Object.keys(summary.prescriptionsByStatus)).to.have.members([...PRESCRIPTION_STATUSES]);
    const specialties = await rows<{ specialty: string }>(`SELECT DISTINCT specialty FROM providers`);
    expect(specialties.map((row) => row.specialty)).to.have.members([...SPECIALTIES]);
  });

  it('writes rows that pass the model layer, medical data decrypting as the models store it', async () => {
    const { User, Patient, Provider, Consultation, Prescription } = runtime.models;
    for (const model of [User, Patient, Provider, Consultation, Prescription] as const) {
      for (const row of await (model as typeof User).findAll()) await row.validate();
    }
    const patients = await Patient.findAll();
    const lists = patients.flatMap((patient) => [patient.allergies, patient.conditions, patient.medications]);
    for (const list of lists)
      if (list !== null)
        expect(list)
          .to.be.an('array')
          .and.satisfy((items: unknown[]) => items.every((item) => typeof item === 'string'));
    expect(lists.filter((list) => list && list.length > 0)).to.not.be.empty;
    for (const visit of await Consultation.findAll()) {
      expect(visit.reason).to.be.a('string').and.not.empty;
      expect(visit.notes === null).to.equal(visit.status !== 'completed');
    }
    const plaintext = `SELECT count(*) FROM patients WHERE allergies NOT LIKE 'v1.%' OR conditions NOT LIKE 'v1.%' OR medications NOT LIKE 'v1.%'`;
    expect(await countOf(plaintext)).to.equal(0);
    expect(
      await countOf(
        `SELECT count(*) FROM consultations WHERE reason NOT LIKE 'v1.%' OR notes NOT LIKE 'v1.%'`,
      ),
    ).to.equal(0);
  });

  it('gives every account the one argon2id hash of the documented seed password', async () => {
    const hashes = await rows<{ password_hash: string }>(`SELECT DISTINCT password_hash FROM users`);
    expect(hashes).to.have.length(1);
    expect(hashes[0]!.password_hash).to.match(/^\$argon2id\$/);
    expect(await argon2.verify(hashes[0]!.password_hash, SEED_PASSWORD)).to.equal(true);
    expect(await argon2.verify(hashes[0]!.password_hash, 'not the seed password')).to.equal(false);
  });

  it('keeps every consultation consistent with its status and the schema', async () => {
    expect(await consultationViolations(pool, END, TTL_SECONDS)).to.deep.equal([]);
    const twoVisitsAtOnce = `SELECT provider_id FROM consultations WHERE status = 'in_progress' GROUP BY 1 HAVING count(*) > 1`;
    expect(await rows(twoVisitsAtOnce)).to.deep.equal([]);
    const notBusy = `SELECT count(*) FROM providers p JOIN consultations c ON c.provider_id = p.user_id
      WHERE c.status = 'in_progress' AND p.availability <> 'busy'`;
    expect(await countOf(notBusy)).to.equal(0);
  });

  it('writes prescriptions only for completed consultations of the same patient and provider', async () => {
    expect(await prescriptionViolations(pool, END)).to.deep.equal([]);
    const prescribedWithout = `SELECT count(*) FROM consultations c WHERE c.outcome = 'prescribed'
      AND NOT EXISTS (SELECT 1 FROM prescriptions rx WHERE rx.consultation_id = c.id)`;
    expect(await countOf(prescribedWithout)).to.equal(0);
  });

  it('accepts faster where queues are short and takes more requests in the daytime', async () => {
    const medianWait = async (specialty: string) =>
      Number(
        (
          await rows<{ seconds: number }>(
            `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM accepted_at - requested_at)) AS seconds
         FROM consultations WHERE specialty = $1 AND accepted_at IS NOT NULL`,
            [specialty],
          )
        )[0]!.seconds,
      );
    expect(await medianWait('urgent_care')).to.be.lessThan(await medianWait('psychiatry'));
    const localHour = `extract(hour FROM requested_at AT TIME ZONE 'UTC' - interval '5 hours')`;
    const daytime = await countOf(`SELECT count(*) FROM consultations WHERE ${localHour} BETWEEN 9 AND 16`);
    const night = await countOf(`SELECT count(*) FROM consultations WHERE ${localHour} BETWEEN 0 AND 7`);
    expect(daytime).to.be.greaterThan(night * 3);
  });

  it('makes the same data for the same seed, under another run tag, without colliding', async () => {
    const first = await runContent(runtime.models, 'run-a');
    const second = await runContent(runtime.models, 'run-b');
    expect(first.consultations).to.have.length(summary.counts.consultations);
    expect(second).to.deep.equal(first);
    const other = await runContent(runtime.models, 'run-c');
    expect(other.patients.map((patient) => patient.familyName)).to.not.deep.equal(
      first.patients.slice(0, 30).map((patient) => patient.familyName),
    );
  });
});
