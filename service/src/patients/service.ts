import type { InferAttributes } from 'sequelize';
import { caresFor } from '../consultations/care-relationship';
import type { ConsultationService } from '../consultations/service';
import { assertRole, type Actor } from '../platform/actor';
import { notFound } from '../platform/errors';
import type { PageRequest } from '../platform/keyset-page';
import { updateAtVersion } from '../platform/optimistic-update';
import type { DirectQuery } from '../platform/direct-query';
import type { Metrics } from '../observability/metrics';
import { groupCommit } from '../platform/group-commit';
import { createAuditedRead } from '../audit/audited-read';
import type { ReadAudit } from '../audit/read-audit';
import { UUID_SHAPE } from '../platform/uuid';
import { openJson, type FieldCipher } from '../platform/field-cipher';
import type { PrescriptionService } from '../prescriptions/service';
import { Patient, type MedicalList } from './model';
import type { PatientProfileChanges } from './schemas';

/** A patient as the service answers it: every attribute but the row's own timestamps. */
export type PatientRecord = Omit<InferAttributes<Patient>, 'createdAt' | 'updatedAt'>;

export interface PatientServiceDeps {
  readonly consultations: ConsultationService;
  readonly prescriptions: PrescriptionService;
  readonly query: DirectQuery;
  /** This runtime's key ring: the PHI read decrypts with it, never with another runtime's. */
  readonly cipher: FieldCipher;
  readonly metrics: Metrics;
}

const SELECT_PATIENTS = `SELECT user_id, given_name, family_name, date_of_birth, phone, allergies, conditions,
  medications, insurance_payer, insurance_member_id, insurance_group_number, subscription_plan,
  subscription_status, subscription_renews_at, version FROM patients WHERE user_id = ANY($1::uuid[])`;

/** Records read together at most: one statement's bound array. */
const MAX_RECORDS_PER_READ = 100;

/** A row of SELECT_PATIENTS, the medical lists still encrypted. */
type StoredPatient = readonly [
  userId: string,
  givenName: string,
  familyName: string,
  dateOfBirth: string,
  phone: string | null,
  allergies: string | null,
  conditions: string | null,
  medications: string | null,
  insurancePayer: string | null,
  insuranceMemberId: string | null,
  insuranceGroupNumber: string | null,
  subscriptionPlan: PatientRecord['subscriptionPlan'],
  subscriptionStatus: PatientRecord['subscriptionStatus'],
  subscriptionRenewsAt: Date | null,
  version: number,
];

async function findPatient(patientId: string): Promise<Patient> {
  const patient = await Patient.findByPk(patientId);
  if (!patient) throw notFound('No such patient.');
  return patient;
}

export function createPatientService({
  consultations,
  prescriptions,
  query,
  cipher,
  metrics,
}: PatientServiceDeps) {
  const open = (stored: string | null) => openJson<MedicalList>(cipher, stored);
  // The record lookups of concurrent PHI reads whose event the route writes itself (a provider's read, an
  // admin's break-glass read) share statements (platform/group-commit), one statement at a time: under
  // load the machine's CPU is the limit (64 connections answer no more than 32), and every statement costs
  // both processes far more than a row. Against two at a time, side by side
  // (loadtests/side-by-side.ts), it made 6.7 reads to a statement instead of 4.6 and cost the service
  // 7 % less CPU per read. A batch per turn of the event loop made every read wait for the turn to end.
  const readStored = groupCommit(
    async (patientIds: readonly string[]) => {
      const rows = await query('select', SELECT_PATIENTS, [patientIds], 'read');
      // user_id comes back in PostgreSQL's text form of a uuid: lower case, as the keys are.
      const found = new Map(rows.map((row) => [row[0] as string, row as StoredPatient]));
      return patientIds.map((patientId) => found.get(patientId));
    },
    {
      maxBatch: MAX_RECORDS_PER_READ,
      maxInFlight: 1,
      onBatch: (size) => metrics.db.readBatchSize.observe(size),
    },
  );
  // The caller's own record with its audit event, one statement for both (audit/audited-read.ts). It
  // writes, so it runs on the primary: a patient reads their own record as of their last change.
  const readAudited = createAuditedRead({
    select: SELECT_PATIENTS,
    query,
    metrics,
    maxBatch: MAX_RECORDS_PER_READ,
  });
  // A provider's read of a patient: the care relationship, the record and the audit event in one statement.
  const readAuditedByProvider = createAuditedRead({
    select: SELECT_PATIENTS,
    visibleTo: caresFor('wanted.viewer', 'wanted.key'),
    query,
    metrics,
    maxBatch: MAX_RECORDS_PER_READ,
  });
  /** readPatient's lookup through an audited read: the record and the route's event in one statement. */
  const withEvent =
    (read: typeof readAudited, audit: ReadAudit, viewer?: string) =>
    async (key: string): Promise<StoredPatient | undefined> =>
      (await read({ key, viewer }, audit)) as StoredPatient | undefined;
  /**
   * The record for reading: a SELECT by primary key through node-postgres, shared with the reads of other
   * requests made meanwhile. findByPk builds its query and options anew on every call: most of the PHI
   * read's CPU in Sequelize went there. Anything but a UUID names no patient, and never reaches a shared
   * statement, where it would fail the others' reads with it. The medical
   * fields are decrypted here with this runtime's cipher, not through the model's getters: Patient is
   * one class per process, and its getters use the cipher of whichever runtime initialised it last (in
   * a key rotation, a runtime without the old key would answer 500 for values not yet re-encrypted).
   */
  async function readPatient(
    patientId: string,
    read: (patientId: string) => Promise<StoredPatient | undefined> = readStored,
  ): Promise<PatientRecord> {
    const row = UUID_SHAPE.test(patientId) ? await read(patientId.toLowerCase()) : undefined;
    if (!row) throw notFound('No such patient.');
    const [
      userId,
      givenName,
      familyName,
      dateOfBirth,
      phone,
      allergies,
      conditions,
      medications,
      insurancePayer,
      insuranceMemberId,
      insuranceGroupNumber,
      subscriptionPlan,
      subscriptionStatus,
      subscriptionRenewsAt,
      version,
    ] = row;
    return {
      userId,
      givenName,
      familyName,
      dateOfBirth,
      phone,
      allergies: open(allergies),
      conditions: open(conditions),
      medications: open(medications),
      insurancePayer,
      insuranceMemberId,
      insuranceGroupNumber,
      subscriptionPlan,
      subscriptionStatus,
      subscriptionRenewsAt,
      version,
    };
  }

  return {
    /** A patient's own profile: demographics, medical data, insurance and subscription. */
    async getOwnProfile(actor: Actor, audit?: ReadAudit): Promise<PatientRecord> {
      assertRole(actor, 'patient');
      if (!audit) return readPatient(actor.userId);
      return readPatient(actor.userId, withEvent(readAudited, audit));
    },

    /** Changes the profile only if it is still at `expectedVersion` (412 otherwise, nothing changed). */
    async updateOwnProfile(
      actor: Actor,
      expectedVersion: number,
      changes: PatientProfileChanges,
    ): Promise<PatientRecord> {
      assertRole(actor, 'patient');
      const updated = await updateAtVersion(await findPatient(actor.userId), expectedVersion, changes);
      return updated.get({ plain: true });
    },

    async listOwnConsultations(actor: Actor, page: PageRequest) {
      assertRole(actor, 'patient');
      return consultations.listForPatient(actor.userId, page);
    },

    async listOwnPrescriptions(actor: Actor, page: PageRequest) {
      assertRole(actor, 'patient');
      return prescriptions.listMine(actor, page);
    },

    /**
     * Any patient's record. No authorization here: callers (a provider's relationship check, an admin's
     * break-glass access) decide first; it is not a use case of its own.
     */
    async getRecord(patientId: string): Promise<PatientRecord> {
      return readPatient(patientId);
    },

    /**
     * A patient's record for a provider who cares for them (consultations/care-relationship.ts), read
     * with the route's audit event; not found (and nothing recorded with it) for any other provider.
     */
    async getRecordForProvider(
      providerId: string,
      patientId: string,
      audit: ReadAudit,
    ): Promise<PatientRecord> {
      return readPatient(patientId, withEvent(readAuditedByProvider, audit, providerId));
    },
  };
}

export type PatientService = ReturnType<typeof createPatientService>;
