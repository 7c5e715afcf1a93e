import type { InferAttributes, Model, ModelStatic } from 'sequelize';
import type { ConsultationService } from '../consultations/service';
import { assertRole, type Actor } from '../platform/actor';
import { notFound } from '../platform/errors';
import type { PageRequest } from '../platform/keyset-page';
import { updateAtVersion } from '../platform/optimistic-update';
import type { DirectQuery } from '../platform/direct-query';
import { openJson, type FieldCipher } from '../platform/field-cipher';
import type { PrescriptionService } from '../prescriptions/service';
import { ENCRYPTED_PATIENT_FIELDS, Patient, type MedicalList } from './model';
import type { PatientProfileChanges } from './schemas';

export type PatientRecord = InferAttributes<Patient>;

export interface PatientServiceDeps {
  readonly consultations: ConsultationService;
  readonly prescriptions: PrescriptionService;
  readonly query: DirectQuery;
  /** This runtime's key ring: the PHI read decrypts with it, never with another runtime's. */
  readonly cipher: FieldCipher;
}

type EncryptedField = (typeof ENCRYPTED_PATIENT_FIELDS)[number];
/** A patients row as stored: the medical lists still encrypted. */
type StoredPatient = Omit<PatientRecord, EncryptedField> & Record<EncryptedField, string | null>;

async function findPatient(patientId: string): Promise<Patient> {
  const patient = await Patient.findByPk(patientId);
  if (!patient) throw notFound('No such patient.');
  return patient;
}

/** The model's attributes under their own names, for a hand-written SELECT of whole rows. */
const columnsOf = (model: ModelStatic<Model>) =>
  Object.entries(model.getAttributes())
    .map(([name, attribute]) => `"${attribute.field ?? name}" AS "${name}"`)
    .join(', ');

export function createPatientService({ consultations, prescriptions, query, cipher }: PatientServiceDeps) {
  let selectById: string | undefined;
  /**
   * The record for reading: one SELECT by primary key through node-postgres. findByPk builds its query
   * and options anew on every call: most of the PHI read's CPU in Sequelize went there. The medical
   * fields are decrypted here with this runtime's cipher, not through the model's getters: Patient is
   * one class per process, and its getters use the cipher of whichever runtime initialised it last (in
   * a key rotation, a runtime without the old key would answer 500 for values not yet re-encrypted).
   */
  async function readPatient(patientId: string): Promise<PatientRecord> {
    selectById ??= `SELECT ${columnsOf(Patient)} FROM patients WHERE user_id = $1`;
    const [row] = await query<StoredPatient>('select', selectById, [patientId], 'read');
    if (!row) throw notFound('No such patient.');
    const record: Record<string, unknown> = { ...row };
    for (const field of ENCRYPTED_PATIENT_FIELDS) record[field] = openJson<MedicalList>(cipher, row[field]);
    return record as PatientRecord;
  }

  return {
    /** A patient's own profile: demographics, medical data, insurance and subscription. */
    async getOwnProfile(actor: Actor): Promise<PatientRecord> {
      assertRole(actor, 'patient');
      return readPatient(actor.userId);
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
  };
}

export type PatientService = ReturnType<typeof createPatientService>;
