import type { Sequelize } from 'sequelize';
import { requireAal2, requireRole } from '../auth/guards';
import type { Config } from '../config';
import { defineRoute, mountRoutes } from '../routing/route';
import { createAlertStrip } from './alerts';
import { CONSOLE_DASHBOARDS } from './catalog';
import { createPanelData } from './panel-data';
import { prometheusClient } from './prometheus';
import { AlertStripResponse, DashboardsResponse, PanelDataResponse, PanelParams } from './schemas';
import { SQL_PANEL_IDS } from './sql-panels';
import { boundedRange, TimeRangeQuery } from './time-range';

export interface ConsoleDeps {
  readonly sequelize: Sequelize;
  readonly config: Config['console'];
  /** The session idle timeout: the page signs out after this long without activity. */
  readonly idleTimeoutSeconds: number;
}

/** The console's data: aggregates only, for operators and admins at aal2; never an id or a name. */
export function consoleRoutes({ sequelize, config, idleTimeoutSeconds }: ConsoleDeps) {
  const prometheus = config.prometheusUrl === undefined ? undefined : prometheusClient(config.prometheusUrl);
  const panelData = createPanelData({ sequelize, prometheus, job: config.job });
  const alertStrip = createAlertStrip({ sequelize, prometheus, alertmanagerUrl: config.alertmanagerUrl });
  const guards = [requireRole('operator', 'admin'), requireAal2()];
  const tags = ['console'];
  return mountRoutes([
    defineRoute({
      method: 'get',
      path: '/ops/dashboards',
      summary: "The console's dashboards and panels (the Grafana dashboards' definitions)",
      tags,
      guards,
      responses: { 200: { description: 'Every dashboard, row and panel', schema: DashboardsResponse } },
      handler: (ctx) => {
        ctx.body = {
          source: prometheus ? 'prometheus' : 'database',
          databasePanels: SQL_PANEL_IDS,
          idleTimeoutSeconds,
          dashboards: CONSOLE_DASHBOARDS,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/ops/panels/:panelId/data',
      summary: "One declared panel's series over a bounded time range",
      description:
        'Runs only the queries the panel declares (Prometheus query_range, or SQL on the embedded default); at most 31 days and 720 points.',
      tags,
      guards,
      input: { params: PanelParams, query: TimeRangeQuery },
      responses: { 200: { description: 'The series on one time grid', schema: PanelDataResponse } },
      problems: [404, 503],
      handler: async (ctx, { params, query }) => {
        ctx.body = await panelData(params.panelId, boundedRange(query));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/ops/alerts',
      summary: 'Firing alerts, patient safety first',
      tags,
      guards,
      responses: { 200: { description: 'The alert strip', schema: AlertStripResponse } },
      problems: [503],
      handler: async (ctx) => {
        ctx.body = await alertStrip();
      },
    }),
  ]);
}
