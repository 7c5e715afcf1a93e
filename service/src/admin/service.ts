import { keepBreakGlassReason, type BreakGlassAccess } from '../audit/break-glass-reasons';
import type { PatientRecord, PatientService } from '../patients/service';
import { assertRole, type Actor } from '../platform/actor';
import { unprocessable } from '../platform/errors';
import { zodIssuesToFieldProblems } from '../platform/validate';
import type { ReportService } from './reports';
import { BreakGlassBody, type ReportRange } from './schemas';

export interface AdminServiceDeps {
  readonly patients: PatientService;
  readonly reports: ReportService;
}

/**
 * What admins do with clinical data: reports (no PHI) and break-glass reads of one patient's record.
 * Account enable/disable lives with authentication (it revokes sessions).
 */
export function createAdminService({ patients, reports }: AdminServiceDeps) {
  const asAdmin =
    <A extends unknown[], R>(work: (...args: A) => Promise<R>) =>
    async (actor: Actor, ...args: A): Promise<R> => {
      assertRole(actor, 'admin');
      return work(...args);
    };

  return {
    volumeByDay: asAdmin((range: ReportRange) => reports.volumeByDay(range)),
    specialtySummary: asAdmin((range: ReportRange) => reports.specialtySummary(range)),
    providerResponseTimes: asAdmin((range: ReportRange) => reports.providerResponseTimes(range)),

    /**
     * An emergency read of a patient's whole record. The stated reason is required (10..500 characters);
     * it is free text about a patient, so it is never logged and stays out of the audit event: it is kept
     * encrypted under `access.id`, which the caller puts in the event, before anything is read, so that
     * refused attempts keep theirs too.
     */
    async breakGlassRead(
      actor: Actor,
      patientId: string,
      reason: string,
      access: BreakGlassAccess,
    ): Promise<PatientRecord> {
      assertRole(actor, 'admin');
      const checked = BreakGlassBody.safeParse({ reason });
      if (!checked.success) throw unprocessable(zodIssuesToFieldProblems(checked.error.issues));
      await keepBreakGlassReason(access, actor.userId, patientId, checked.data.reason);
      return patients.getRecord(patientId);
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
