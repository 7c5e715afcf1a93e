import { z } from 'zod';
import { MAX_POINTS } from './time-range';

// Limits on what the console answers (OWASP API4): generous bounds on the dashboards' own definitions,
// which the build writes, and on the chart sizes time-range.ts allows.
const name = z.string().max(200);
const text = z.string().max(2000);

export const PanelParams = z.strictObject({
  panelId: z
    .string()
    .max(120)
    .regex(/^[a-z0-9-]+\.[a-z0-9-]+$/, 'a panel id such as healthcare-operations.completion-rate'),
});

const Target = z.object({ refId: z.string().max(10), expr: z.string().max(4000), legend: name });
const Panel = z.object({
  id: name,
  kind: z.enum(['timeseries', 'stat']),
  title: name,
  description: text,
  unit: z.string().max(50),
  thresholds: z.array(z.object({ value: z.number().nullable(), color: z.string().max(50) })).max(20),
  targets: z.array(Target).max(20),
});

export const DashboardsResponse = z.object({
  /** Where panel data comes from on this deployment. */
  source: z.enum(['prometheus', 'database']),
  /** The panels the database can answer when no Prometheus is configured. */
  databasePanels: z.array(name).max(200),
  idleTimeoutSeconds: z.number(),
  dashboards: z
    .array(
      z.object({
        id: name,
        uid: name,
        title: name,
        description: text,
        rows: z.array(z.object({ title: name, panels: z.array(Panel).max(50) })).max(50),
      }),
    )
    .max(20),
});

export const PanelDataResponse = z.object({
  panelId: name,
  source: z.enum(['prometheus', 'database', 'unavailable']),
  step: z.number(),
  timestamps: z.array(z.number()).max(MAX_POINTS + 1),
  series: z.array(z.object({ name, values: z.array(z.number().nullable()).max(MAX_POINTS + 1) })).max(100),
  notice: text.optional(),
});

export const AlertStripResponse = z.object({
  source: z.enum(['alertmanager', 'prometheus', 'database']),
  notice: text.optional(),
  alerts: z
    .array(
      z.object({
        name,
        severity: z.string().max(50),
        patientSafety: z.boolean(),
        since: z.string().max(64).nullable(),
        summary: text,
        runbookUrl: text.nullable(),
        silenced: z.boolean(),
        scope: name.nullable(),
      }),
    )
    .max(500),
});
