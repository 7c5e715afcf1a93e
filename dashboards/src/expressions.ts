import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { listMetricNames } from '../../alerts/src/metric-names';
import { DASHBOARDS } from './outputs';
import { substituteVariables as substituteTemplateVariables } from './template-variables';

// Every panel target expression, with Grafana's template variables replaced by values a plain
// Prometheus accepts, for checks that evaluate them against a real Prometheus.

/** What each variable becomes; `datasource` disappears (it is not part of PromQL). */
export const DEFAULT_VARIABLE_VALUES: Readonly<Record<string, string>> = {
  datasource: '',
  // One environment on the dashboards; a test Prometheus has no cluster or namespace labels, and `.*`
  // also matches a missing label.
  cluster: '.*',
  namespace: '.*',
  job: 'carewatch',
  // "All" is `.*` on the dashboards (allValue), and selectors use =~.
  instance: '.*',
  __rate_interval: '1m',
  __interval: '1m',
  __range: '1h',
};

/** Replaces `$var` and `${var}`; unknown variables are left as they are so checks can spot them. */
export function substituteVariables(
  expr: string,
  values: Readonly<Record<string, string>> = DEFAULT_VARIABLE_VALUES,
): string {
  return substituteTemplateVariables(expr, values);
}

export interface PanelExpression {
  dashboardUid: string;
  panelTitle: string;
  refId: string;
  /** As stored in the dashboard, with template variables. */
  rawExpr: string;
  /** Ready for Prometheus: variables substituted. */
  expr: string;
}

interface PromTarget {
  expr?: string;
  refId?: string;
}

/** Panels of a built dashboard, rows flattened (collapsed rows keep theirs inside). */
export function panelsOf(d: dashboard.Dashboard): dashboard.Panel[] {
  return (d.panels ?? []).flatMap((p) =>
    p.type === 'row' ? ((p as dashboard.RowPanel).panels ?? []) : [p as dashboard.Panel],
  );
}

export function buildAllDashboards(): dashboard.Dashboard[] {
  return DASHBOARDS.map((d) => d.build());
}

export function listPanelExpressions(
  dashboards: readonly dashboard.Dashboard[] = buildAllDashboards(),
  values: Readonly<Record<string, string>> = DEFAULT_VARIABLE_VALUES,
): PanelExpression[] {
  return dashboards.flatMap((d) =>
    panelsOf(d).flatMap((panel) =>
      ((panel.targets ?? []) as PromTarget[])
        .filter((t): t is PromTarget & { expr: string } => typeof t.expr === 'string')
        .map((t) => ({
          dashboardUid: d.uid ?? '',
          panelTitle: panel.title ?? '',
          refId: t.refId ?? '',
          rawExpr: t.expr,
          expr: substituteVariables(t.expr, values),
        })),
    ),
  );
}

/** Every metric name the dashboards read, sorted; recorded (`a:b:c`) names included. */
export function listDashboardMetricNames(dashboards?: readonly dashboard.Dashboard[]): string[] {
  return [...new Set(listPanelExpressions(dashboards).flatMap((e) => listMetricNames(e.expr)))].sort();
}

export { isRecordedMetricName, listMetricNames } from '../../alerts/src/metric-names';
