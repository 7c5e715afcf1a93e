import { QueryTypes, type Sequelize } from 'sequelize';

interface TimeRange {
  readonly from: Date;
  readonly to: Date;
}

// Access to patient data; security events (logins and the like) are reviewed elsewhere.
const PHI_ACCESS = `action IN ('read', 'list', 'create', 'update', 'delete', 'export', 'break_glass')
  AND outcome = 'success' AND actor_user_id IS NOT NULL AND occurred_at >= $1 AND occurred_at < $2`;

export interface AfterHoursRow {
  readonly actorUserId: string;
  readonly actorRole: string;
  readonly events: number;
  readonly patients: number;
  readonly firstAt: string;
  readonly lastAt: string;
}

/** Who reached patient data outside working hours (or at weekends) in the given time zone. */
export function afterHoursAccess(
  sequelize: Sequelize,
  range: TimeRange & { readonly startHour: number; readonly endHour: number; readonly timeZone: string },
): Promise<AfterHoursRow[]> {
  return sequelize.query<AfterHoursRow>(
    `WITH local AS (
       SELECT seq, actor_user_id, actor_role, patient_ids, occurred_at, occurred_at AT TIME ZONE $3 AS at_local
       FROM audit_events WHERE ${PHI_ACCESS})
     SELECT actor_user_id AS "actorUserId", actor_role AS "actorRole", count(DISTINCT seq)::int AS events,
            count(DISTINCT patient)::int AS patients, min(occurred_at) AS "firstAt", max(occurred_at) AS "lastAt"
     FROM local LEFT JOIN LATERAL unnest(patient_ids) AS patient ON true
     WHERE extract(hour FROM at_local) < $4 OR extract(hour FROM at_local) >= $5 OR extract(isodow FROM at_local) > 5
     GROUP BY actor_user_id, actor_role ORDER BY events DESC`,
    { bind: [range.from, range.to, range.timeZone, range.startHour, range.endHour], type: QueryTypes.SELECT },
  );
}

export interface HighVolumeRow {
  readonly actorUserId: string;
  readonly actorRole: string;
  readonly windowStart: string;
  readonly patients: number;
}

/** Users who touched at least `threshold` distinct patients within one window of `windowMinutes`. */
export function unusualPatientVolume(
  sequelize: Sequelize,
  range: TimeRange & { readonly windowMinutes: number; readonly threshold: number },
): Promise<HighVolumeRow[]> {
  return sequelize.query<HighVolumeRow>(
    `SELECT actor_user_id AS "actorUserId", actor_role AS "actorRole",
            to_timestamp(floor(extract(epoch FROM occurred_at) / ($3 * 60)) * ($3 * 60)) AS "windowStart",
            count(DISTINCT patient)::int AS patients
     FROM audit_events, unnest(patient_ids) AS patient
     WHERE ${PHI_ACCESS}
     GROUP BY 1, 2, 3 HAVING count(DISTINCT patient) >= $4 ORDER BY patients DESC, "windowStart"`,
    { bind: [range.from, range.to, range.windowMinutes, range.threshold], type: QueryTypes.SELECT },
  );
}

export interface BreakGlassRow {
  readonly seq: string;
  readonly occurredAt: string;
  readonly actorUserId: string | null;
  readonly actorRole: string;
  readonly patientIds: string[];
  readonly outcome: string;
  readonly requestId: string | null;
  readonly details: Record<string, unknown>;
}

/** Every break-glass access, each to be reviewed. */
export function breakGlassUses(sequelize: Sequelize, range: TimeRange): Promise<BreakGlassRow[]> {
  return sequelize.query<BreakGlassRow>(
    `SELECT seq::text AS seq, occurred_at AS "occurredAt", actor_user_id AS "actorUserId", actor_role AS "actorRole",
            patient_ids AS "patientIds", outcome, request_id AS "requestId", details
     FROM audit_events WHERE action = 'break_glass' AND occurred_at >= $1 AND occurred_at < $2
     ORDER BY audit_events.seq`,
    { bind: [range.from, range.to], type: QueryTypes.SELECT },
  );
}
