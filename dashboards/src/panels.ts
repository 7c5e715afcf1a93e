import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { runbookUrl } from '../../alerts/src/conventions';
import { contractsOf, type ThresholdStep } from './thresholds';
import { DATASOURCE } from './variables';

// Panel factories: every panel gets a title, a description, a unit and the datasource variable, by
// construction rather than by review.

export interface Target {
  expr: string;
  legend: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  /** A Grafana unit id, e.g. 's', 'reqps', 'percentunit' (see @grafana/grafana-foundation-sdk/units). */
  unit: string;
  targets: Target[];
  /** Grid width out of 24. */
  width?: number;
  mappings?: dashboard.ValueMapping[];
  /** Steps above the neutral base, from dashboards/src/thresholds.ts; drawn as dashed lines on graphs. */
  thresholds?: readonly ThresholdStep[];
}

/**
 * Explicit thresholds on every panel: without them Grafana applies its default (red at 80), which
 * colours seconds, ratios and budgets at a meaningless value. No steps means a neutral base only.
 */
function thresholdsOf(spec: PanelSpec): dashboard.ThresholdsConfigBuilder {
  const steps = [{ value: null, color: 'green' }, ...(spec.thresholds ?? [])];
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps);
}

/** Many series (a templated legend) get a table legend with last and max; a few get a list. */
function legendOf(spec: PanelSpec): VizLegendOptionsBuilder {
  const many = spec.targets.some((t) => t.legend.includes('{{'));
  const legend = new VizLegendOptionsBuilder().showLegend(true).placement(LegendPlacement.Bottom);
  return many
    ? legend.displayMode(LegendDisplayMode.Table).calcs(['lastNotNull', 'max']).sortBy('Max').sortDesc(true)
    : legend.displayMode(LegendDisplayMode.List).calcs([]);
}

/** A link to the runbook of each alert that fires on what the panel shows, so the graph leads to the fix. */
export function runbookLinks(targets: readonly Target[]): dashboard.DashboardLinkBuilder[] {
  return contractsOf(targets.map((t) => t.expr)).flatMap((c) =>
    c.alert === undefined
      ? []
      : [
          new dashboard.DashboardLinkBuilder(`Runbook: ${c.alert}`)
            .type(dashboard.DashboardLinkType.Link)
            .url(runbookUrl(c.alert))
            .targetBlank(true),
        ],
  );
}

const DEFAULT_WIDTH = 8;
const HEIGHT = 8;

function queries(targets: readonly Target[], instant: boolean): cog.Builder<cog.Dataquery>[] {
  return targets.map((t, i) => {
    const q = new DataqueryBuilder()
      .datasource(DATASOURCE)
      .expr(t.expr)
      .legendFormat(t.legend)
      .refId(String.fromCharCode(65 + i));
    return instant ? q.instant() : q.range();
  });
}

export function timeseries(spec: PanelSpec): TimeseriesBuilder {
  const panel = new TimeseriesBuilder()
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(DATASOURCE)
    .targets(queries(spec.targets, false))
    .links(runbookLinks(spec.targets))
    .legend(legendOf(spec))
    .thresholds(thresholdsOf(spec))
    .thresholdsStyle(
      new GraphThresholdsStyleConfigBuilder().mode(
        spec.thresholds?.length ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off,
      ),
    )
    .span(spec.width ?? DEFAULT_WIDTH)
    .height(HEIGHT);
  return spec.mappings === undefined ? panel : panel.mappings(spec.mappings);
}

/** A single current value: the last point of an instant query. */
export function stat(spec: PanelSpec): StatBuilder {
  const panel = new StatBuilder()
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(DATASOURCE)
    .targets(queries(spec.targets, true))
    .links(runbookLinks(spec.targets))
    // Without a reducer Grafana's stat shows nothing for some versions; the last value is what we mean.
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(thresholdsOf(spec))
    .span(spec.width ?? DEFAULT_WIDTH)
    .height(HEIGHT);
  return spec.mappings === undefined ? panel : panel.mappings(spec.mappings);
}

/** p50/p95/p99 (or any quantiles) of one histogram as one panel, one target per quantile. */
export function quantileTargets(
  quantileExpr: (q: number) => string,
  legendSuffix: string,
  quantiles: readonly number[] = [0.5, 0.95, 0.99],
): Target[] {
  return quantiles.map((q) => ({
    expr: quantileExpr(q),
    legend: `p${Math.round(q * 100)} ${legendSuffix}`.trim(),
  }));
}
