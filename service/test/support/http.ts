import { QueryTypes } from 'sequelize';
import type { Runtime } from '../../src/runtime';
import { contractCheckedHttp } from './contract';

/** supertest bound to a runtime's app; every response is checked against /openapi.json. */
export const api = (runtime: Runtime) => contractCheckedHttp(runtime.app);

/** The security events written for one account, oldest first (audit rows carry ids, never emails). */
export async function securityEventsOf(
  runtime: Runtime,
  userId: string,
): Promise<{ event_type: string; outcome: string; details: Record<string, unknown> }[]> {
  return runtime.sequelize.query(
    `SELECT event_type, outcome, details FROM audit_events WHERE action = 'security' AND $1 = ANY(resource_ids) ORDER BY seq`,
    { bind: [userId], type: QueryTypes.SELECT },
  );
}
