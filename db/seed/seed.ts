import type { Pool } from 'pg';
import type { FieldCipher } from '../../service/src/platform/field-cipher';
import { chunk, insertRows, writeBatches, type Batch } from './bulk-writer';
import type { SeedContext } from './context';
import { generateConsultations } from './consultations';
import type { SeedOptions } from './options';
import { generatePatients, type SeededPatient } from './patients';
import { generatePrescriptions } from './prescriptions';
import { generateProviders, type SeededProvider } from './providers';
import { createSeedRandom } from './random';
import {
  CONSULTATIONS,
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
  readonly consultations: ConsultationRow[];
  readonly prescriptions: PrescriptionRow[];
}

export interface SeedSummary {
  readonly runTag: string;
  readonly counts: Record<'patients' | 'providers' | 'consultations' | 'prescriptions', number>;
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
  return { patients, providers, consultations, prescriptions: generatePrescriptions(context, consultations) };
}

/** Accounts with their profiles in the same transaction, so no batch leaves an account without one. */
function accountBatches<Profile extends object>(
  people: readonly { account: UserRow; profile: Profile }[],
  profiles: TableSpec<Profile>,
  batchSize: number,
): Batch[] {
  return chunk(people, batchSize).map((group) => async (client) => {
    await insertRows(
      client,
      USERS,
      group.map((person) => person.account),
    );
    await insertRows(
      client,
      profiles,
      group.map((person) => person.profile),
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
      ...accountBatches(data.providers, PROVIDERS, batchSize),
      ...accountBatches(data.patients, PATIENTS, batchSize),
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
  const started = performance.now();
  const data = generateSeedData(options, cipher, passwordHash);
  const generated = performance.now();
  await writeSeedData(pool, data, options.batchSize);
  return {
    runTag: options.runTag,
    counts: {
      patients: data.patients.length,
      providers: data.providers.length,
      consultations: data.consultations.length,
      prescriptions: data.prescriptions.length,
    },
    consultationsByStatus: countBy(data.consultations, (row) => row.status),
    prescriptionsByStatus: countBy(data.prescriptions, (row) => row.status),
    generateMs: Math.round(generated - started),
    writeMs: Math.round(performance.now() - generated),
  };
}
