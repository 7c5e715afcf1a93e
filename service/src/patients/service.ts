import type { InferAttributes } from 'sequelize';
import type { ConsultationService } from '../consultations/service';
import { assertRole, type Actor } from '../platform/actor';
import { notFound } from '../platform/errors';
import type { PageRequest } from '../platform/keyset-page';
import { updateAtVersion } from '../platform/optimistic-update';
import type { PrescriptionService } from '../prescriptions/service';
import { Patient } from './model';
import type { PatientProfileChanges } from './schemas';

export type PatientRecord = InferAttributes<Patient>;

export interface PatientServiceDeps {
  readonly consultations: ConsultationService;
  readonly prescriptions: PrescriptionService;
}

async function findPatient(patientId: string): Promise<Patient> {
  const patient = await Patient.findByPk(patientId);
  if (!patient) throw notFound('No such patient.');
  return patient;
}

export function createPatientService({ consultations, prescriptions }: PatientServiceDeps) {
  return {
    /** A patient's own profile: demographics, medical data, insurance and subscription. */
    async getOwnProfile(actor: Actor): Promise<PatientRecord> {
      assertRole(actor, 'patient');
      return (await findPatient(actor.userId)).get({ plain: true });
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
      return (await findPatient(patientId)).get({ plain: true });
    },
  };
}

export type PatientService = ReturnType<typeof createPatientService>;
