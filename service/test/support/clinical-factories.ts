import { randomInt, randomUUID } from 'node:crypto';
import type { Role } from '../../src/auth/model';
import type { ConsultationStatus } from '../../src/consultations/model';
import type { Models } from '../../src/models';
import type { Actor } from '../../src/platform/actor';
import type { Specialty } from '../../src/providers/model';

/**
 * Rows for clinical tests, created directly through the models with unique values, so tests never
 * depend on each other's data.
 */
async function createUser(models: Models, role: Role): Promise<string> {
  const user = await models.User.create({
    email: `${role}-${randomUUID()}@example.test`,
    role,
    passwordHash: null,
    lockedUntil: null,
    externalSubject: null,
    passwordChangedAt: null,
  });
  return user.id;
}

export async function createPatientRow(models: Models): Promise<Actor> {
  const userId = await createUser(models, 'patient');
  await models.Patient.create({
    userId,
    givenName: 'Test',
    familyName: `Patient-${userId.slice(0, 8)}`,
    dateOfBirth: '1985-06-15',
    phone: '+1 555 0100',
    allergies: ['penicillin'],
    conditions: ['asthma'],
    medications: ['albuterol'],
    insurancePayer: 'Acme Health',
    insuranceMemberId: `M-${userId.slice(0, 6)}`,
    insuranceGroupNumber: 'G-100',
    subscriptionRenewsAt: null,
  });
  return { userId, role: 'patient' };
}

export async function createProviderRow(
  models: Models,
  specialty: Specialty = 'general_practice',
): Promise<Actor> {
  const userId = await createUser(models, 'provider');
  await models.Provider.create({
    userId,
    displayName: `Dr Test ${userId.slice(0, 8)}`,
    licenseNumber: `L-${randomUUID()}`,
    licenseState: 'CA',
    specialty,
    availability: 'available',
  });
  return { userId, role: 'provider' };
}

export async function createAdminRow(models: Models): Promise<Actor> {
  return { userId: await createUser(models, 'admin'), role: 'admin' };
}

export interface ConsultationOverrides {
  readonly providerId?: string | null;
  readonly specialty?: Specialty;
  readonly status?: ConsultationStatus;
  readonly requestedAt?: Date;
  readonly acceptedAt?: Date | null;
  readonly startedAt?: Date | null;
  readonly endedAt?: Date | null;
  readonly expiresAt?: Date;
}

/** A consultation in any state, with the timestamps that state implies unless given. */
export async function createConsultation(
  models: Models,
  patientId: string,
  overrides: ConsultationOverrides = {},
): Promise<string> {
  const status = overrides.status ?? 'requested';
  const requestedAt = overrides.requestedAt ?? new Date(Date.now() - randomInt(60_000, 120_000));
  const reached = (...statuses: ConsultationStatus[]) => statuses.includes(status);
  const accepted = reached('accepted', 'in_progress', 'completed', 'no_show');
  const started = reached('in_progress', 'completed');
  const consultation = await models.Consultation.create({
    patientId,
    providerId: overrides.providerId ?? null,
    specialty: overrides.specialty ?? 'general_practice',
    status,
    reason: 'Persistent cough',
    requestedAt,
    expiresAt: overrides.expiresAt ?? new Date(requestedAt.getTime() + 30 * 60_000),
    acceptedAt: overrides.acceptedAt ?? (accepted ? new Date(requestedAt.getTime() + 10_000) : null),
    startedAt: overrides.startedAt ?? (started ? new Date(requestedAt.getTime() + 20_000) : null),
    endedAt: overrides.endedAt ?? null,
    cancelledBy: null,
    outcome: null,
    notes: null,
  });
  return consultation.id;
}
