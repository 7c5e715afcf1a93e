import type { InferAttributes } from 'sequelize';
import type { ReadAudit } from '../audit/read-audit';
import type { AssignedConsultationListRequest } from '../consultations/schemas';
import type { ConsultationService } from '../consultations/service';
import type { CachedGauge } from '../observability/cached-gauge';
import { assertRole, type Actor } from '../platform/actor';
import { notFound } from '../platform/errors';
import type { PageRequest } from '../platform/keyset-page';
import { updateAtVersion } from '../platform/optimistic-update';
import type { PatientRecord, PatientService } from '../patients/service';
import { Provider, type Availability } from './model';
import type { ProviderProfile, ProviderProfiles } from './profile-cache';
import type { ProviderProfileChanges } from './schemas';

export type ProviderRecord = InferAttributes<Provider>;

export interface ProviderServiceDeps {
  readonly consultations: ConsultationService;
  readonly patients: PatientService;
  /** carewatch_providers_available: refreshed as soon as an availability changes. */
  readonly availableProviders: CachedGauge;
  /** Profiles as every instance caches them: each change here is announced to all of them. */
  readonly profiles: ProviderProfiles;
}

async function findOwnProvider(actor: Actor): Promise<Provider> {
  assertRole(actor, 'provider');
  const provider = await Provider.findByPk(actor.userId);
  if (!provider) throw notFound('No provider profile.');
  return provider;
}

export function createProviderService({
  consultations,
  patients,
  availableProviders,
  profiles,
}: ProviderServiceDeps) {
  /** The row as changed, once every instance has dropped its cached copy. */
  const changed = async (updated: Provider): Promise<ProviderRecord> => {
    await profiles.changed(updated.userId);
    return updated.get({ plain: true });
  };

  return {
    async getOwnProfile(actor: Actor): Promise<ProviderProfile> {
      assertRole(actor, 'provider');
      const profile = await profiles.read(actor.userId);
      if (!profile) throw notFound('No provider profile.');
      return profile;
    },

    /** Changes the profile only if it is still at `expectedVersion` (412 otherwise, nothing changed). */
    async updateOwnProfile(
      actor: Actor,
      expectedVersion: number,
      changes: ProviderProfileChanges,
    ): Promise<ProviderRecord> {
      return changed(await updateAtVersion(await findOwnProvider(actor), expectedVersion, changes));
    },

    /** Available, busy or offline: the last word wins, so no version is needed. */
    async setAvailability(actor: Actor, availability: Availability): Promise<ProviderRecord> {
      const provider = await findOwnProvider(actor);
      const updated = await provider.update({ availability });
      await availableProviders.refresh();
      return changed(updated);
    },

    /** Requests waiting in the provider's specialty, oldest first. */
    async queue(actor: Actor, page: PageRequest) {
      return consultations.queueFor(actor, page);
    },

    /** The consultations assigned to the provider, newest first, of one status if asked. */
    async listOwnConsultations(actor: Actor, { status, ...page }: AssignedConsultationListRequest) {
      assertRole(actor, 'provider');
      return consultations.listForProvider(actor.userId, page, status);
    },

    /**
     * A patient's record, only for a provider with a consultation assigned to them with that patient. With
     * the route's audit event, the check, the read and the event are one statement.
     */
    async getPatientForProvider(actor: Actor, patientId: string, audit?: ReadAudit): Promise<PatientRecord> {
      assertRole(actor, 'provider');
      if (audit) return patients.getRecordForProvider(actor.userId, patientId, audit);
      if (!(await consultations.providerCanSeePatient(actor.userId, patientId))) {
        throw notFound('No such patient.');
      }
      return patients.getRecord(patientId);
    },
  };
}

export type ProviderService = ReturnType<typeof createProviderService>;
