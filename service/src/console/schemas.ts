import { z } from 'zod';

export const PanelParams = z.strictObject({
  panelId: z
    .string()
    .regex(/^[a-z0-9-]+\.[a-z0-9-]+$/, 'a panel id such as healthcare-operations.completion-rate'),
});

const Target = z.object({ refId: z.string(), expr: z.string(), legend: z.string() });
const Panel = z.object({
  id: z.string(),
  kind: z.enum(['timeseries', 'stat']),
  title: z.string(),
  description: z.string(),
  unit: z.string(),
  thresholds: z.array(z.object({ value: z.number().nullable(), color: z.string() })),
  targets: z.array(Target),
});

export const DashboardsResponse = z.object({
  /** Where panel data comes from on this deployment. */
  source: z.enum(['prometheus', 'database']),
  /** The panels the database can answer when no Prometheus is configured. */
  databasePanels: z.array(z.string()),
  idleTimeoutSeconds: z.number(),
  dashboards: z.array(
    z.object({
      id: z.string(),
      uid: z.string(),
      title: z.string(),
      description: z.string(),
      rows: z.array(z.object({ title: z.string(), panels: z.array(Panel) })),
    }),
  ),
});

export const PanelDataResponse = z.object({
  panelId: z.string(),
  source: z.enum(['prometheus', 'database', 'unavailable']),
  step: z.number(),
  timestamps: z.array(z.number()),
  series: z.array(z.object({ name: z.string(), values: z.array(z.number().nullable()) })),
  notice: z.string().optional(),
});

export const AlertStripResponse = z.object({
  source: z.enum(['alertmanager', 'prometheus', 'database']),
  notice: z.string().optional(),
  alerts: z.array(
    z.object({
      name: z.string(),
      severity: z.string(),
      patientSafety: z.boolean(),
      since: z.string().nullable(),
      summary: z.string(),
      runbookUrl: z.string().nullable(),
      silenced: z.boolean(),
      scope: z.string().nullable(),
    }),
  ),
});
