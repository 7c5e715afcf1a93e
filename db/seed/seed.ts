import type { Pool } from 'pg';
import type { FieldCipher } from '../../service/src/platform/field-cipher';
import { chunk, insertRows, writeBatches, type Batch } from './bulk-writer';
import type { SeedContext } from './context';
import { generateConsultations } from './consultations';
import { assertCredentialsAllowed, credentialsOf, writeCredentials } from './credentials';
import type { SeedOptions } from './options';
import { generatePatients, type SeededPatient } from './patients';
import { generatePrescriptions } from './prescriptions';
import { generateProviders, type SeededProvider } from './providers';
import { createSeedRandom } from './random';
import { generateAdmins, generateStaffFactors, type SeededAdmin, type SeededFactor } from './staff-factors';
import {
  CONSULTATIONS,
  MFA_FACTORS,
  PATIENTS,
  PRESCRIPTIONS,
  PROVIDERS,
  USERS,
  type ConsultationRow,
  type PrescriptionRow,
  type TableSpec,
  type UserRow,
} from './tables';

export interface SeedData {
  readonly patients: SeededPatient[];
  readonly providers: SeededProvider[];
  readonly admins: SeededAdmin[];
  /** Staff (providers and admins) by account id: each is enrolled in TOTP. */
  readonly factors: Map<string, SeededFactor>;
  readonly consultations: ConsultationRow[];
  readonly prescriptions: PrescriptionRow[];
}

export interface SeedSummary {
  readonly runTag: string;
  readonly counts: Record<'patients' | 'providers' | 'admins' | 'consultations' | 'prescriptions', number>;
  readonly consultationsByStatus: Record<string, number>;
  readonly prescriptionsByStatus: Record<string, number>;
  readonly generateMs: number;
  readonly writeMs: number;
}

/** Makes every row in memory. Deterministic for a seed and run tag, apart from the ciphers' random IVs. */
export function generateSeedData(options: SeedOptions, cipher: FieldCipher, passwordHash: string): SeedData {
  const context: SeedContext = {
    options,
    random: createSeedRandom(options.seed, options.runTag),
    cipher,
    passwordHash,
  };
  const providers = generateProviders(context);
  const patients = generatePatients(context);
  const consultations = generateConsultations(context, patients, providers);
  const prescriptions = generatePrescriptions(context, consultations);
  // Last, so that staff accounts and secrets change nothing drawn before them.
  const admins = generateAdmins(context);
  const factors = generateStaffFactors(context, [...providers, ...admins]);
  return { patients, providers, admins, factors, consultations, prescriptions };
}

/**
 * Accounts with their profiles (admins have none) and second factors in the same transaction, so no batch
 * leaves an account without them.
 */
function accountBatches<Profile extends object>(
  people: readonly { account: UserRow; profile?: Profile }[],
  profiles: TableSpec<Profile> | undefined,
  factors: ReadonlyMap<string, SeededFactor>,
  batchSize: number,
): Batch[] {
  return chunk(people, batchSize).map((group) => async (client) => {
    await insertRows(
      client,
      USERS,
      group.map((person) => person.account),
    );
    if (profiles)
      await insertRows(
        client,
        profiles,
        group.flatMap((person) => (person.profile ? [person.profile] : [])),
      );
    await insertRows(
      client,
      MFA_FACTORS,
      group.flatMap((person) => factors.get(person.account.id)?.row ?? []),
    );
  });
}

function rowBatches<Row extends object>(
  spec: TableSpec<Row>,
  rows: readonly Row[],
  batchSize: number,
): Batch[] {
  return chunk(rows, batchSize).map((group) => (client) => insertRows(client, spec, group));
}

// Two connections: one batch is written while the next is sent, which is what two cores can use.
const WRITERS = 2;

/** Writes parents before children: accounts and profiles, then consultations, then prescriptions. */
export async function writeSeedData(pool: Pool, data: SeedData, batchSize: number): Promise<void> {
  await writeBatches(
    pool,
    [
      ...accountBatches(data.providers, PROVIDERS, data.factors, batchSize),
      ...accountBatches(data.patients, PATIENTS, data.factors, batchSize),
      ...accountBatches(data.admins, undefined, data.factors, batchSize),
    ],
    WRITERS,
  );
  await writeBatches(pool, rowBatches(CONSULTATIONS, data.consultations, batchSize), WRITERS);
  await writeBatches(pool, rowBatches(PRESCRIPTIONS, data.prescriptions, batchSize), WRITERS);
}

function countBy<Row>(rows: readonly Row[], key: (row: Row) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[key(row)] = (counts[key(row)] ?? 0) + 1;
  return counts;
}

export async function seed(
  pool: Pool,
  cipher: FieldCipher,
  passwordHash: string,
  options: SeedOptions,
): Promise<SeedSummary> {
  if (options.credentials) assertCredentialsAllowed(process.env);
  const started = performance.now();
  const data = generateSeedData(options, cipher, passwordHash);
  const generated = performance.now();
  await writeSeedData(pool, data, options.batchSize);
  // Only once the accounts exist: a credentials file never names an account that was not written.
  if (options.credentials)
    await writeCredentials(options.credentials, credentialsOf(options.runTag, data, data.factors));
  return {
    runTag: options.runTag,
    counts: {
      patients: data.patients.length,
      providers: data.providers.length,
      admins: data.admins.length,
      consultations: data.consultations.length,
      prescriptions: data.prescriptions.length,
    },
    consultationsByStatus: countBy(data.consultations, (row) => row.status),
    prescriptionsByStatus: countBy(data.prescriptions, (row) => row.status),
    generateMs: Math.round(generated - started),
    writeMs: Math.round(performance.now() - generated),
  };
}
