import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

// The operations console's view of the dashboards: the panels Grafana gets, read back from the very
// dashboards the builder produces (title, description, unit, thresholds, PromQL), so the console and
// Grafana cannot drift. Written to dashboards/catalog/panels.json by `npm run build:dashboards`; the
// service and the browser read that file and nothing else.

export interface ConsoleTarget {
  readonly refId: string;
  /** As in the dashboard, with Grafana's template variables ($job, $__rate_interval, ...). */
  readonly expr: string;
  /** Grafana's legend template, e.g. `{{specialty}}`. */
  readonly legend: string;
}

export interface ConsoleThreshold {
  /** null: the base step, from minus infinity. */
  readonly value: number | null;
  readonly color: string;
}

export interface ConsolePanel {
  /** `<dashboard>.<panel title as a slug>`: stable, and the only way a browser names a query. */
  readonly id: string;
  readonly kind: 'timeseries' | 'stat';
  readonly title: string;
  readonly description: string;
  /** A Grafana unit id ('s', 'percentunit', 'opm', ...). */
  readonly unit: string;
  readonly thresholds: readonly ConsoleThreshold[];
  readonly targets: readonly ConsoleTarget[];
}

export interface ConsoleRow {
  readonly title: string;
  readonly panels: readonly ConsolePanel[];
}

export interface ConsoleDashboard {
  /** The file name of the Grafana dashboard, e.g. `healthcare-operations`. */
  readonly id: string;
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly rows: readonly ConsoleRow[];
}

export const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

interface PromTarget {
  expr?: string;
  refId?: string;
  legendFormat?: string;
}

function consolePanel(dashboardId: string, panel: dashboard.Panel): ConsolePanel {
  const defaults = panel.fieldConfig?.defaults;
  const steps = defaults?.thresholds?.steps ?? [];
  return {
    id: `${dashboardId}.${slug(panel.title ?? '')}`,
    kind: panel.type === 'stat' ? 'stat' : 'timeseries',
    title: panel.title ?? '',
    description: panel.description ?? '',
    unit: defaults?.unit ?? 'short',
    thresholds: steps.map((step) => ({ value: step.value ?? null, color: step.color })),
    targets: ((panel.targets ?? []) as PromTarget[])
      .filter((target): target is PromTarget & { expr: string } => typeof target.expr === 'string')
      .map((target) => ({
        refId: target.refId ?? 'A',
        expr: target.expr,
        legend: target.legendFormat ?? '',
      })),
  };
}

/** A built dashboard's rows in order; panels placed after a row header belong to it. */
function rowsOf(id: string, built: dashboard.Dashboard): ConsoleRow[] {
  const rows: { title: string; panels: ConsolePanel[] }[] = [];
  for (const panel of built.panels ?? []) {
    if (panel.type === 'row') {
      const row = panel as dashboard.RowPanel;
      rows.push({
        title: row.title ?? '',
        panels: (row.panels ?? []).map((inner) => consolePanel(id, inner)),
      });
    } else {
      if (rows.length === 0) rows.push({ title: '', panels: [] });
      rows[rows.length - 1]?.panels.push(consolePanel(id, panel));
    }
  }
  return rows;
}

export function consoleCatalog(
  dashboards: readonly { file: string; build: () => dashboard.Dashboard }[],
): ConsoleDashboard[] {
  return dashboards.map(({ file, build }) => {
    const built = build();
    return {
      id: file,
      uid: built.uid ?? file,
      title: (built.title ?? file).replace(/^Carewatch \/ /, ''),
      description: built.description ?? '',
      rows: rowsOf(file, built),
    };
  });
}

export const CONSOLE_CATALOG_PATH = 'dashboards/catalog/panels.json';
