import type { Migration } from '../migration';
import users from './0001_users';
import profiles from './0002_profiles';
import clinical from './0003_clinical';
import identity from './0004_identity';
import auditEvents from './0005_audit_events';
import auditIntegrity from './0006_audit_integrity';
import auditSeals from './0007_audit_seals';
import providerWorklist from './0008_provider_worklist';
import breakGlassReasons from './0009_break_glass_reasons';
import runtimeGrants from './0010_runtime_grants';
import outboxDelivery from './0011_outbox_delivery';
import outboxDueIndex from './0012_outbox_due_index';
import auditVerifications from './0013_audit_verifications';
import operatorRole from './0014_operator_role';
import operatorRoleValidated from './0015_operator_role_validated';
import mfaChallenges from './0016_mfa_challenges';
import usersEmailLookup from './0017_users_email_lookup';
import auditHashInline from './0018_audit_hash_inline';
import auditHashCheck from './0019_audit_hash_check';
import auditHashCheckValidated from './0020_audit_hash_check_validated';

/** Every migration, in order. A new migration is appended here; an applied one is never edited. */
export const migrations: readonly Migration[] = [
  users,
  profiles,
  clinical,
  identity,
  auditEvents,
  auditIntegrity,
  auditSeals,
  providerWorklist,
  breakGlassReasons,
  runtimeGrants,
  outboxDelivery,
  outboxDueIndex,
  auditVerifications,
  operatorRole,
  operatorRoleValidated,
  mfaChallenges,
  usersEmailLookup,
  auditHashInline,
  auditHashCheck,
  auditHashCheckValidated,
];
