import type { Sequelize } from 'sequelize';
import { substituteVariables } from '../../../dashboards/src/template-variables';
import { notFound } from '../platform/errors';
import { findPanel } from './catalog';
import type { PrometheusClient } from './prometheus';
import { alignSeries, legendOf, type PanelData } from './series';
import { sqlPanelSeries } from './sql-panels';
import type { TimeRange } from './time-range';

export interface PanelDataDeps {
  readonly sequelize: Sequelize;
  /** Undefined on the embedded default: clinical panels then come from SQL. */
  readonly prometheus: PrometheusClient | undefined;
  /** The scrape job the dashboards' `$job` means. */
  readonly job: string;
}

const NEEDS_PROMETHEUS =
  'This panel reads metrics only Prometheus keeps: set PROMETHEUS_URL to a Prometheus that scrapes the service.';

/** Grafana's variables for one range: `$__rate_interval` as Grafana computes it for a 15 s scrape. */
function variablesFor(range: TimeRange, job: string): Record<string, string> {
  const seconds = (n: number) => `${n}s`;
  return {
    // The console reads the Prometheus of its own deployment, where `job` already names this service.
    cluster: '.*',
    namespace: '.*',
    job,
    instance: '.*',
    __interval: seconds(range.step),
    __rate_interval: seconds(Math.max(range.step + 15, 60)),
    __range: seconds(range.to - range.from),
  };
}

/** Answers a declared panel's data for a range: Prometheus when configured, else SQL where it can. */
export function createPanelData(deps: PanelDataDeps) {
  return async (panelId: string, range: TimeRange): Promise<PanelData> => {
    const panel = findPanel(panelId);
    if (!panel) throw notFound('No such panel.', 'panel_not_found');
    const { prometheus } = deps;
    const answers = prometheus
      ? await Promise.all(
          panel.targets.map(async (target) => ({
            legend: target.legend,
            series: await prometheus.queryRange(
              substituteVariables(target.expr, variablesFor(range, deps.job)),
              range,
            ),
          })),
        )
      : await sqlPanelSeries(deps.sequelize, panel, range);
    if (!answers) {
      return {
        panelId,
        source: 'unavailable',
        step: range.step,
        timestamps: [],
        series: [],
        notice: NEEDS_PROMETHEUS,
      };
    }
    const named = answers.flatMap(({ legend, series }) =>
      series.map((one) => ({ name: legendOf(legend, one.labels), points: one.points })),
    );
    return {
      panelId,
      source: prometheus ? 'prometheus' : 'database',
      step: range.step,
      ...alignSeries(range, named),
    };
  };
}

export type PanelDataSource = ReturnType<typeof createPanelData>;
