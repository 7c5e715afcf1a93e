import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { VerificationResult } from './verifier';

// Scheduled verification of the audit chain, as a scraped fact. Every instance ticks; the one that wins
// a transaction-level advisory lock (the sealer's pattern, safe through PgBouncer) and finds no run
// within the interval claims the next run by writing a 'started' row, then verifies outside the lock.
// Results live in audit_verifications, and every instance exports the latest one, so the gauges mean
// the same on every pod and stay undefined until some verification has run (no 0 on a fresh pod).

const VERIFIER_LOCK_KEY = 7_412_003;

type Verify = () => Promise<VerificationResult>;

/** Writes the outcome of one run; `runId` ties it to its 'started' row when the schedule claimed it. */
export async function recordVerification(
  sequelize: Sequelize,
  result: VerificationResult,
  runId: string = randomUUID(),
): Promise<void> {
  await sequelize.query(
    `INSERT INTO audit_verifications (run_id, state, checked_events, problem_kind) VALUES ($1, $2, $3, $4)`,
    { bind: [runId, result.ok ? 'passed' : 'failed', result.checkedEvents, result.problem?.kind ?? null] },
  );
}

/** Claims the next run if none started within `intervalMs`; returns its id, or nothing when not due. */
async function claimRun(sequelize: Sequelize, intervalMs: number): Promise<string | undefined> {
  return sequelize.transaction(async (transaction) => {
    const [lock] = await sequelize.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_xact_lock($1) AS locked`,
      { bind: [VERIFIER_LOCK_KEY], type: QueryTypes.SELECT, transaction },
    );
    if (!lock!.locked) return undefined;
    const [due] = await sequelize.query<{ due: boolean }>(
      `SELECT coalesce(max(recorded_at) < now() - make_interval(secs => $1), true) AS due FROM audit_verifications`,
      { bind: [intervalMs / 1000], type: QueryTypes.SELECT, transaction },
    );
    if (!due!.due) return undefined;
    const runId = randomUUID();
    await sequelize.query(`INSERT INTO audit_verifications (run_id, state) VALUES ($1, 'started')`, {
      bind: [runId],
      transaction,
    });
    return runId;
  });
}

export function createVerificationSchedule(
  sequelize: Sequelize,
  verify: Verify,
  metrics: Metrics,
  logger: Logger,
) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  /** Copies the latest finished run into the gauges; leaves them unset while no run has finished. */
  async function exportLatest(): Promise<void> {
    const [latest] = await sequelize.query<{ state: string; at: number }>(
      `SELECT state, extract(epoch FROM recorded_at)::float8 AS at FROM audit_verifications
       WHERE state IN ('passed', 'failed') ORDER BY recorded_at DESC LIMIT 1`,
      { type: QueryTypes.SELECT },
    );
    if (!latest) return;
    metrics.audit.lastVerificationSuccess.set(latest.state === 'passed' ? 1 : 0);
    metrics.audit.lastVerificationTimestamp.set(latest.at);
  }

  /** One tick: verify if this instance claimed a due run, then export the latest result. */
  async function tick(intervalMs: number): Promise<void> {
    const runId = await claimRun(sequelize, intervalMs);
    if (runId) {
      const result = await verify();
      await recordVerification(sequelize, result, runId);
      // The only log line of a scheduled run: what the audit runbook tells on-call to look for.
      logger.info('audit chain verified', {
        ok: result.ok,
        checkedEvents: result.checkedEvents,
        problemKind: result.problem?.kind,
      });
    }
    await exportLatest();
  }

  return {
    tick,
    exportLatest,
    /** Ticks every `checkEveryMs`, and at once so a fresh pod exports the fact within seconds. */
    start(intervalMs: number, checkEveryMs: number): void {
      const run = () => {
        running ??= tick(intervalMs)
          .catch((error: unknown) => logger.warn('scheduled audit verification failed to run', { error }))
          .finally(() => (running = undefined));
      };
      run();
      timer = setInterval(run, checkEveryMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    },
  };
}
