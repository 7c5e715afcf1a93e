import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { sel } from './promql';
import { DATASOURCE, standardVariables } from './variables';

// The frame every Carewatch dashboard shares: stable uid, tags, variables, time range, and rows of
// panels laid out left to right.

export interface Row {
  title: string;
  panels: cog.Builder<dashboard.Panel>[];
}

export interface DashboardSpec {
  /** Stable: links, alerts and provisioning refer to dashboards by uid. */
  uid: string;
  title: string;
  description: string;
  tags: string[];
  rows: Row[];
}

/** The tag every Carewatch dashboard carries; the dashboard links list the dashboards with it. */
export const CAREWATCH_TAG = 'carewatch';
export const DEPLOY_ANNOTATION = 'Deploys and restarts';

/** A drop-down of every Carewatch dashboard that keeps the time range and the environment chosen. */
function carewatchDashboardsLink(): dashboard.DashboardLinkBuilder {
  return new dashboard.DashboardLinkBuilder('Carewatch dashboards')
    .type(dashboard.DashboardLinkType.Dashboards)
    .tags([CAREWATCH_TAG])
    .asDropdown(true)
    .includeVars(true)
    .keepTime(true);
}

/**
 * A marker where a process of the service started: a rollout restarts every pod, so a change in a graph
 * that lines up with these is the deploy's (a lone marker is a crash or an eviction).
 */
export function deployAnnotation(): dashboard.AnnotationQueryBuilder {
  return new dashboard.AnnotationQueryBuilder()
    .name(DEPLOY_ANNOTATION)
    .datasource(DATASOURCE)
    .enable(true)
    .iconColor('blue')
    .expr(`sum by (namespace, job) (changes(${sel('process_start_time_seconds')}[$__interval])) > 0`)
    .step('1m')
    .titleFormat('Pods of {{job}} started')
    .tagKeys('namespace,job')
    .useValueForTime(false);
}

/** Panel ids are assigned in order so the JSON is stable between builds. */
function numberPanels(panels: readonly (dashboard.Panel | dashboard.RowPanel)[]): void {
  let id = 1;
  for (const panel of panels) {
    panel.id = id++;
    if (panel.type === 'row') for (const inner of (panel as dashboard.RowPanel).panels) inner.id = id++;
  }
}

export function buildDashboard(spec: DashboardSpec): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([CAREWATCH_TAG, ...spec.tags])
    .links([carewatchDashboardsLink()])
    .annotation(deployAnnotation())
    // Provisioned from this repository: edits in the UI would be lost on the next deploy.
    .readonly()
    .timezone('browser')
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .variables(standardVariables());
  // Panels added after a row belong to it: DashboardBuilder.withRow() then withPanel().
  for (const row of spec.rows) {
    builder.withRow(new dashboard.RowBuilder(row.title));
    for (const panel of row.panels) builder.withPanel(panel);
  }
  const built = builder.build();
  numberPanels(built.panels ?? []);
  return built;
}
