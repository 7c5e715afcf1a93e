import { createDatabase as connect } from '../../src/platform/db';
import { sharedRuntime } from './runtime';

async function wire() {
  const runtime = await sharedRuntime();
  // The runtime's own clinical services, not a second wiring: a second set would add its own gauge
  // samplers to the same registry, and whichever ran last at a scrape would hide the other's values.
  return { ...runtime, ...runtime.clinical };
}

export type ClinicalRuntime = Awaited<ReturnType<typeof wire>>;

let wired: ReturnType<typeof wire> | undefined;

/** The shared runtime with its clinical services at the top level, as the service wires them. */
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
