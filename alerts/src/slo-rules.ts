import { defineAlert } from './conventions';
import { SLO_PERIOD_DAYS, SLO_SERVICE, errorBudget, slothId, type SloDefinition } from './slo-definitions';
import type { AlertRule, RecordingRule, RuleGroup } from './types';

// Sloth-compatible SLO rules: the same recording names, labels and multi-window multi-burn-rate
// alerts Sloth generates, so Sloth's Grafana dashboards and our own read them unchanged.
// See https://sloth.dev and the Google SRE workbook, "Alerting on SLOs".

export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
type SliWindow = (typeof SLI_WINDOWS)[number];

interface BurnWindowPair {
  long: SliWindow;
  short: SliWindow;
  factor: number;
}

/** Page: 2 % of a 30-day budget in 1 h, or 5 % in 6 h. Ticket: 10 % in 1 d, or 10 % in 3 d. */
export const PAGE_WINDOWS: readonly BurnWindowPair[] = [
  { long: '1h', short: '5m', factor: 14.4 },
  { long: '6h', short: '30m', factor: 6 },
];
export const TICKET_WINDOWS: readonly BurnWindowPair[] = [
  { long: '1d', short: '2h', factor: 3 },
  { long: '3d', short: '6h', factor: 1 },
];

function sloLabels(slo: SloDefinition): Record<string, string> {
  return { sloth_id: slothId(slo), sloth_service: SLO_SERVICE, sloth_slo: slo.name };
}

function sloSelector(slo: SloDefinition): string {
  const matchers = Object.entries(sloLabels(slo)).map(([k, v]) => `${k}="${v}"`);
  return `{${matchers.join(', ')}}`;
}

function sliRecording(slo: SloDefinition, window: SliWindow): RecordingRule {
  const fill = (query: string): string => query.replaceAll('{{window}}', window);
  return {
    record: `slo:sli_error:ratio_rate${window}`,
    expr: `(${fill(slo.errorQuery)})\n/\n(${fill(slo.totalQuery)})`,
    labels: { ...sloLabels(slo), sloth_window: window },
  };
}

function metaRecordings(slo: SloDefinition): RecordingRule[] {
  const sel = sloSelector(slo);
  const labels = sloLabels(slo);
  const period = `${SLO_PERIOD_DAYS}d`;
  const byLabels = 'on (sloth_id, sloth_service, sloth_slo) group_left';
  return [
    { record: 'slo:objective:ratio', expr: `vector(${slo.objectivePercent / 100})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(${errorBudget(slo)})`, labels },
    { record: 'slo:time_period:days', expr: `vector(${SLO_PERIOD_DAYS})`, labels },
    {
      record: 'slo:current_burn_rate:ratio',
      expr: `slo:sli_error:ratio_rate5m${sel}\n/ ${byLabels}\nslo:error_budget:ratio${sel}`,
      labels,
    },
    {
      // Sloth averages the 5m ratio over the period instead of a 30d rate(): far cheaper to evaluate.
      record: `slo:sli_error:ratio_rate${period}`,
      expr: `sum_over_time(slo:sli_error:ratio_rate5m${sel}[${period}])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m${sel}[${period}])`,
      labels: { ...labels, sloth_window: period },
    },
    {
      record: 'slo:period_burn_rate:ratio',
      expr: `slo:sli_error:ratio_rate${period}${sel}\n/ ${byLabels}\nslo:error_budget:ratio${sel}`,
      labels,
    },
    {
      record: 'slo:period_error_budget_remaining:ratio',
      expr: `1 - slo:period_burn_rate:ratio${sel}`,
      labels,
    },
  ];
}

/**
 * Sloth's condition, with each pair naming its windows in `long_window` and `short_window` so the
 * notification says which pair fired (both may, as two alerts).
 */
function burnCondition(slo: SloDefinition, pairs: readonly BurnWindowPair[]): string {
  const sel = sloSelector(slo);
  const budget = errorBudget(slo);
  const over = (window: SliWindow, factor: number): string =>
    `max(slo:sli_error:ratio_rate${window}${sel} > (${factor} * ${budget})) without (sloth_window)`;
  const named = (p: BurnWindowPair, expr: string): string =>
    `label_replace(label_replace(${expr}, "long_window", "${p.long}", "", ""), "short_window", "${p.short}", "", "")`;
  return pairs
    .map((p) => named(p, `(\n  ${over(p.short, p.factor)}\n  and\n  ${over(p.long, p.factor)}\n)`))
    .join('\nor\n');
}

function windowLabels(pairs: readonly BurnWindowPair[]): Record<string, string>[] {
  return pairs.map((p) => ({ long_window: p.long, short_window: p.short }));
}

/** Minutes of promtool input: enough for the longest window the case evaluates. */
const CASE_MINUTES = 180;

function burnAlert(slo: SloDefinition, kind: 'page' | 'ticket', alertBase: string): AlertRule {
  const page = kind === 'page';
  const windows = page ? PAGE_WINDOWS : TICKET_WINDOWS;
  const excluded = slo.excludedFailuresInput?.(CASE_MINUTES);
  return defineAlert({
    name: `${alertBase}ErrorBudgetBurn${page ? 'Fast' : 'Slow'}`,
    expr: burnCondition(slo, windows),
    for: page ? '2m' : '15m',
    severity: page ? 'critical' : 'warning',
    team: 'sre',
    extraLabels: { sloth_severity: kind, ...sloLabels(slo) },
    summary: page
      ? 'An SLO is burning its 30-day error budget fast enough to exhaust it within days.'
      : 'An SLO is burning its 30-day error budget faster than it can afford over the month.',
    description:
      `SLO {{ $labels.sloth_slo }} of {{ $labels.sloth_service }} (${slo.description}) has an error ratio of ` +
      `{{ $value | humanizePercentage }} over {{ $labels.short_window }}, and the {{ $labels.short_window }} and ` +
      `{{ $labels.long_window }} windows both burn its ${errorBudget(slo)} budget faster than ` +
      `${windows.map((w) => `${w.factor}x (${w.short}/${w.long})`).join(' or ')}.`,
    cases: {
      fires: {
        input: slo.testInput(10, 0, CASE_MINUTES),
        evalTime: '2h',
        expect: windowLabels(windows).map((labels) => ({ labels, value: '100%' })),
      },
      quiet: {
        why: 'an error ratio of 0.05 % stays below even the 1x burn rate of a 0.1 % budget',
        input: slo.testInput(1, 1999, CASE_MINUTES),
        evalTime: '2h',
      },
      ...(excluded
        ? {
            more: [
              {
                why: 'probes and scrapes failing (a draining pod answers /readyz with 503) spend no budget',
                input: excluded,
                evalTime: '2h',
              },
            ],
          }
        : {}),
    },
  });
}

/** The three Sloth groups of one SLO: SLI recordings, metadata recordings and alerts. */
export function sloRuleGroups(slo: SloDefinition, alertBase: string): RuleGroup[] {
  const id = slothId(slo);
  return [
    { name: `sloth-slo-sli-recordings-${id}`, rules: SLI_WINDOWS.map((w) => sliRecording(slo, w)) },
    { name: `sloth-slo-meta-recordings-${id}`, rules: metaRecordings(slo) },
    {
      name: `sloth-slo-alerts-${id}`,
      rules: [burnAlert(slo, 'page', alertBase), burnAlert(slo, 'ticket', alertBase)],
    },
  ];
}
