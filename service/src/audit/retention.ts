import { QueryTypes, type Sequelize } from 'sequelize';

/** Partitions exist from last month to this many months ahead, so an insert never finds none. */
export const PARTITION_MONTHS_AHEAD = 3;

/** Creates the coming months' partitions (with their protections); returns how many were created. */
export async function ensureAuditPartitions(
  sequelize: Sequelize,
  monthsAhead = PARTITION_MONTHS_AHEAD,
): Promise<number> {
  const [row] = await sequelize.query<{ created: number }>(
    `SELECT audit_maintain_partitions((now() - interval '1 month')::date, $1) AS created`,
    { bind: [monthsAhead], type: QueryTypes.SELECT },
  );
  return row!.created;
}

/**
 * Drops the monthly partitions whose every event is older than `retentionYears`. The database function
 * refuses less than six years and may only be run by members of `carewatch_retention`.
 */
export async function dropExpiredAuditPartitions(
  sequelize: Sequelize,
  retentionYears: number,
): Promise<string[]> {
  const [row] = await sequelize.query<{ dropped: string[] }>(
    `SELECT audit_drop_expired_partitions($1) AS dropped`,
    {
      bind: [retentionYears],
      type: QueryTypes.SELECT,
    },
  );
  return row!.dropped;
}
