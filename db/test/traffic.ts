import { Pool } from 'pg';

/**
 * Reads and writes as the service makes them, on a seeded database, from several connections at once:
 * each request's time is measured, so a migration that makes traffic wait shows up as the longest one.
 */
export interface TrafficReport {
  readonly requests: number;
  readonly errors: number;
  readonly longestWaitMs: number;
  readonly firstError: string | undefined;
}

export interface Traffic {
  stop(): Promise<TrafficReport>;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

export async function startTraffic(url: string, connections = 4): Promise<Traffic> {
  const pool = new Pool({ connectionString: url, max: connections, application_name: 'carewatch-traffic' });
  const patients = (
    await pool.query<{ id: string }>('SELECT user_id AS id FROM patients TABLESAMPLE SYSTEM (5) LIMIT 500')
  ).rows.map((r) => r.id);
  const consultations = (
    await pool.query<{ id: string }>('SELECT id FROM consultations TABLESAMPLE SYSTEM (5) LIMIT 500')
  ).rows.map((r) => r.id);
  const operations = [
    (id = pick(patients)) => pool.query('SELECT * FROM patients WHERE user_id = $1', [id]),
    (id = pick(patients)) =>
      pool.query(
        'SELECT id, status, requested_at FROM consultations WHERE patient_id = $1 ORDER BY requested_at DESC LIMIT 20',
        [id],
      ),
    (id = pick(patients)) => pool.query('UPDATE patients SET updated_at = now() WHERE user_id = $1', [id]),
    (id = pick(consultations)) =>
      pool.query('UPDATE consultations SET version = version + 1 WHERE id = $1', [id]),
  ];
  let running = true;
  let requests = 0;
  let errors = 0;
  let longestWaitMs = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (running) {
      const started = performance.now();
      try {
        await pick(operations)();
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      requests++;
      longestWaitMs = Math.max(longestWaitMs, performance.now() - started);
    }
  };
  const workers = Array.from({ length: connections }, worker);
  return {
    async stop() {
      running = false;
      await Promise.all(workers);
      await pool.end();
      return { requests, errors, longestWaitMs, firstError };
    },
  };
}
