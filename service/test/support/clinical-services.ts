import { createDatabase as connect } from '../../src/platform/db';
import { createConsultationService } from '../../src/consultations/service';
import { createPrescriptionService } from '../../src/prescriptions/service';
import { sharedRuntime } from './runtime';

/** The shared runtime with the clinical services wired the way the service wires them. */
export async function clinicalRuntime() {
  const runtime = await sharedRuntime();
  const deps = { sequelize: runtime.sequelize, metrics: runtime.metrics, config: runtime.config };
  const consultations = createConsultationService(deps);
  const prescriptions = createPrescriptionService({ ...deps, consultations });
  return { ...runtime, consultations, prescriptions };
}

/** A separate connection pool of one connection to the shared database, for concurrency tests. */
export async function separateConnection() {
  const { sequelize } = await sharedRuntime();
  const { host, port, username, database } = sequelize.config;
  return connect({
    url: `postgres://${username}@${host}:${port}/${database}`,
    poolMax: 1,
    statementTimeoutMs: 10_000,
  });
}
