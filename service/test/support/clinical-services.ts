import { createClinicalServices } from '../../src/clinical-services';
import { createDatabase as connect } from '../../src/platform/db';
import { sharedRuntime } from './runtime';

async function wire() {
  const runtime = await sharedRuntime();
  const services = createClinicalServices({
    sequelize: runtime.sequelize,
    metrics: runtime.metrics,
    config: runtime.config,
    onBackgroundError: (error) => {
      throw error;
    },
  });
  return { ...runtime, ...services };
}

export type ClinicalRuntime = Awaited<ReturnType<typeof wire>>;

let wired: ReturnType<typeof wire> | undefined;

/** The shared runtime with the clinical services wired once, the way the service wires them. */
export function clinicalRuntime(): ReturnType<typeof wire> {
  wired ??= wire();
  return wired;
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
