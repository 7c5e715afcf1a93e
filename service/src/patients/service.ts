import type { InferAttributes, Model, ModelStatic } from 'sequelize';
import type { ConsultationService } from '../consultations/service';
import { assertRole, type Actor } from '../platform/actor';
import { notFound } from '../platform/errors';
import type { PageRequest } from '../platform/keyset-page';
import { updateAtVersion } from '../platform/optimistic-update';
import type { DirectQuery } from '../platform/direct-query';
import type { PrescriptionService } from '../prescriptions/service';
import { Patient } from './model';
import type { PatientProfileChanges } from './schemas';

export type PatientRecord = InferAttributes<Patient>;

export interface PatientServiceDeps {
  readonly consultations: ConsultationService;
  readonly prescriptions: PrescriptionService;
  readonly query: DirectQuery;
}

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

export function createPatientService({ consultations, prescriptions, query }: PatientServiceDeps) {
  let selectById: string | undefined;
  /**
   * The record for reading: one SELECT by primary key through node-postgres, the row given to the model
   * only for its getters (decryption of the medical fields). findByPk builds its query and options anew
   * on every call: most of the PHI read's CPU in Sequelize went there.
   */
  async function readPatient(patientId: string): Promise<PatientRecord> {
    selectById ??= `SELECT ${columnsOf(Patient)} FROM patients WHERE user_id = $1`;
    const [row] = await query<PatientRecord>('select', selectById, [patientId], 'read');
    if (!row) throw notFound('No such patient.');
    return Patient.build(row, { raw: true, isNewRecord: false }).get({ plain: true });
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
