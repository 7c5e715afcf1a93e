import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as units from '@grafana/grafana-foundation-sdk/units';
import { isRecordedMetricName } from '../../alerts/src/metric-names';
import { panelsOf } from './expressions';
import { runbookUrl } from '../../alerts/src/conventions';
import { CAREWATCH_TAG, DEPLOY_ANNOTATION } from './dashboard';
import { contractsOf, THRESHOLD_CONTRACTS } from './thresholds';
import { CLINICAL_HISTOGRAMS, CLINICAL_QUANTILE_WINDOW, COUNT_WINDOW } from './windows';
import { isCounterName, selectorUses, wrappingFunction } from './selectors';
import { CAREWATCH_JOBS_REGEX, DATASOURCE, ENVIRONMENT_VARIABLES } from './variables';

// A dashboard lint in the spirit of grafana/dashboard-linter (its rule names in comments). Returns
// one readable problem per violation; an empty list means the dashboard is clean.
//
// Exemption: recorded series (`level:metric:ops`, our SLO rules) are already aggregated across
// instances over fixed windows, so the job/instance and $__rate_interval rules do not apply to them.

const KNOWN_UNITS = new Set<string>(
  (Object.values(units) as unknown[]).filter((v): v is string => typeof v === 'string'),
);
const RANGE_FUNCTIONS = /\b(rate|irate|increase)\s*\(/g;
const RAW_PATH_LABELS = /\b(path|url|uri)\s*=~?/;
/** A route label value with an id in it (digits or a uuid) is a raw path, not a route template. */
const RAW_ROUTE_VALUE =
  /\broute\s*=~?\s*"[^"]*\/(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\/|")/i;
const JOB_MATCHER = /\bjob\s*=~\s*"\$job"/;
const INSTANCE_MATCHER = /\binstance\s*=~\s*"\$instance"/;
/** Every selector is confined to the one environment the dashboard shows. */
const ENVIRONMENT_MATCHERS = ENVIRONMENT_VARIABLES.map(
  (name) => [name, new RegExp(`\\b${name}\\s*=~?\\s*"\\$${name}"`)] as const,
);

interface Target {
  expr?: string;
  refId?: string;
  datasource?: { type?: string; uid?: string };
}

function isDatasourceRef(ref: { type?: string; uid?: string } | undefined): boolean {
  return ref?.type === DATASOURCE.type && ref.uid === DATASOURCE.uid;
}

/** The range a range function must use: windows.ts explains the clinical exceptions. */
function expectedRange(fn: string, rest: string): string {
  if (fn === 'increase') return COUNT_WINDOW;
  const metric = /^\s*([a-zA-Z_:][\w:]*)/.exec(rest)?.[1] ?? '';
  return CLINICAL_HISTOGRAMS.some((h) => metric === `${h}_bucket`)
    ? CLINICAL_QUANTILE_WINDOW
    : '$__rate_interval';
}

/**
 * Range functions with the wrong range (target-rate-interval-rule): `[$__rate_interval]` for rates,
 * the alert's window for quantiles of clinical histograms, a fixed hour for counts of rare events.
 */
function rangeIntervalProblems(expr: string): string[] {
  return [...expr.matchAll(RANGE_FUNCTIONS)].flatMap((m) => {
    const rest = expr.slice((m.index ?? 0) + m[0].length);
    const range = /^[^[]*\[([^\]]*)\]/.exec(rest)?.[1];
    const expected = expectedRange(m[1]!, rest);
    return range === expected ? [] : [`${m[1]}() must use [${expected}], not [${range ?? '?'}]`];
  });
}

export function lintExpression(expr: string): string[] {
  const problems = rangeIntervalProblems(expr);
  for (const use of selectorUses(expr)) {
    const recorded = isRecordedMetricName(use.metric);
    // target-job-rule, target-instance-rule
    if (!recorded && !JOB_MATCHER.test(use.matchers)) problems.push(`${use.metric} lacks job=~"$job"`);
    if (!recorded && !INSTANCE_MATCHER.test(use.matchers))
      problems.push(`${use.metric} lacks instance=~"$instance"`);
    // Never blend environments: staging's errors must not dilute or inflate production's.
    for (const [name, matcher] of ENVIRONMENT_MATCHERS)
      if (!recorded && !matcher.test(use.matchers)) problems.push(`${use.metric} lacks ${name}=~"$${name}"`);
    // target-counter-agg-rule
    const fn = wrappingFunction(use);
    if (isCounterName(use.metric) && !(use.isRange && ['rate', 'irate', 'increase'].includes(fn ?? ''))) {
      problems.push(`counter ${use.metric} must be wrapped in rate() or increase()`);
    }
  }
  if (RAW_PATH_LABELS.test(expr)) problems.push('selects on a raw path label (path/url/uri); use route');
  if (RAW_ROUTE_VALUE.test(expr)) problems.push('matches a raw path with an id; use the route template');
  return problems;
}

interface PanelLook {
  options?: { legend?: { showLegend?: boolean; displayMode?: string; calcs?: string[] } };
  fieldConfig?: {
    defaults?: {
      thresholds?: { mode?: string; steps?: { value: number | null; color: string }[] };
      custom?: { thresholdsStyle?: { mode?: string } };
    };
  };
}

/** Legends and thresholds (issue 12, point 4): what Grafana's defaults get wrong for these panels. */
export function lintPanelLook(panel: dashboard.Panel): string[] {
  const look = panel as unknown as PanelLook;
  const problems: string[] = [];
  const targets = (panel.targets ?? []) as (Target & { legendFormat?: string })[];
  const steps = look.fieldConfig?.defaults?.thresholds?.steps ?? [];
  const above = steps.filter((s) => s.value !== null);
  if (look.fieldConfig?.defaults?.thresholds?.mode !== 'absolute' || steps[0]?.value !== null)
    problems.push('has no explicit absolute thresholds (Grafana would colour red at 80)');
  if (above.length === 1 && above[0]!.value === 80 && panel.fieldConfig?.defaults?.unit !== 'percent')
    problems.push("keeps Grafana's default threshold of 80");
  for (const contract of THRESHOLD_CONTRACTS.filter((c) => targets.some((t) => c.reads.test(t.expr ?? '')))) {
    const missing = contract.steps.filter(
      (s) => !above.some((a) => a.value === s.value && a.color === s.color),
    );
    if (missing.length > 0)
      problems.push(`lacks the alert threshold(s) ${missing.map((s) => `${s.value} ${s.color}`).join(', ')}`);
  }
  if (panel.type !== 'timeseries') return problems;
  const legend = look.options?.legend;
  if (legend?.showLegend !== true) problems.push('hides its legend');
  if (targets.some((t) => t.legendFormat?.includes('{{'))) {
    if (legend?.displayMode !== 'table') problems.push('has many series but no table legend');
    for (const calc of ['lastNotNull', 'max'])
      if (!legend?.calcs?.includes(calc)) problems.push(`has many series but no ${calc} in its legend`);
  }
  if (above.length > 0 && (look.fieldConfig?.defaults?.custom?.thresholdsStyle?.mode ?? 'off') === 'off')
    problems.push('has thresholds but does not draw them');
  return problems;
}

/** A panel that shows what an alert fires on links that alert's runbook. */
function runbookLinkProblems(panel: dashboard.Panel, targets: readonly Target[]): string[] {
  const urls = (panel.links ?? []).map((l) => l.url);
  return contractsOf(targets.map((t) => t.expr ?? ''))
    .flatMap((c) => (c.alert === undefined ? [] : [c.alert]))
    .filter((alert) => !urls.includes(runbookUrl(alert)))
    .map((alert) => `has no link to the runbook of ${alert}`);
}

function lintPanel(panel: dashboard.Panel): string[] {
  const problems: string[] = [...lintPanelLook(panel)];
  // panel-title-description-rule
  if (!panel.title) problems.push('has no title');
  if (!panel.description) problems.push('has no description');
  // panel-units-rule
  const unit = panel.fieldConfig?.defaults?.unit;
  if (unit === undefined || !KNOWN_UNITS.has(unit)) problems.push(`has no valid unit (${unit ?? 'none'})`);
  // panel-datasource-rule
  if (!isDatasourceRef(panel.datasource)) problems.push('does not use the $datasource variable');
  const targets = (panel.targets ?? []) as Target[];
  if (targets.length === 0) problems.push('has no targets');
  problems.push(...runbookLinkProblems(panel, targets));
  for (const target of targets) {
    const where = `target ${target.refId ?? '?'}`;
    if (!isDatasourceRef(target.datasource)) problems.push(`${where} does not use the $datasource variable`);
    if (!target.expr) problems.push(`${where} has no expression`);
    else problems.push(...lintExpression(target.expr).map((p) => `${where}: ${p}`));
  }
  return problems.map((p) => `panel "${panel.title ?? '?'}" ${p}`);
}

function lintVariables(d: dashboard.Dashboard): string[] {
  const vars = d.templating?.list ?? [];
  const byName = (name: string): dashboard.VariableModel | undefined => vars.find((v) => v.name === name);
  const problems: string[] = [];
  // template-datasource-rule
  const ds = byName('datasource');
  // Compared as strings: linted JSON may come from anywhere, not only from our typed builders.
  if (String(ds?.type) !== 'datasource' || ds?.query !== 'prometheus')
    problems.push('needs a prometheus datasource variable named "datasource"');
  // template-job-rule, template-instance-rule
  for (const name of ['job', 'instance']) {
    const v = byName(name);
    if (String(v?.type) !== 'query' || v === undefined) problems.push(`needs a query variable "${name}"`);
    else if (!isDatasourceRef(v.datasource ?? undefined))
      problems.push(`variable "${name}" must query $datasource`);
  }
  for (const name of ENVIRONMENT_VARIABLES) {
    const v = byName(name);
    if (String(v?.type) !== 'query') problems.push(`needs a query variable "${name}"`);
    else if (v?.includeAll === true || v?.multi === true)
      problems.push(
        `variable "${name}" must hold one value (no "All", no multi-value): it must not blend environments`,
      );
  }
  const job = byName('job');
  if (job?.allValue !== CAREWATCH_JOBS_REGEX)
    problems.push(`variable "job" must mean Carewatch's jobs by "All" (allValue "${CAREWATCH_JOBS_REGEX}")`);
  if (!JSON.stringify(job?.query ?? '').includes(`job=~\\"${CAREWATCH_JOBS_REGEX}\\"`))
    problems.push('variable "job" must list only Carewatch\'s jobs');
  const instanceQuery = JSON.stringify(byName('instance')?.query ?? '');
  if (!instanceQuery.includes('$job')) problems.push('variable "instance" must be filtered by $job');
  return problems;
}

/** Links to the other Carewatch dashboards that carry the time range and variables across. */
function linkProblems(d: dashboard.Dashboard): string[] {
  const ok = (d.links ?? []).some(
    (l) => String(l.type) === 'dashboards' && l.tags.includes(CAREWATCH_TAG) && l.includeVars && l.keepTime,
  );
  const problems = ok ? [] : [`needs a link to the "${CAREWATCH_TAG}" dashboards keeping time and variables`];
  if (!(d.tags ?? []).includes(CAREWATCH_TAG)) problems.push(`needs the tag "${CAREWATCH_TAG}"`);
  return problems;
}

/** Deploys marked on every graph, from the same Prometheus and for the same targets as the panels. */
function deployAnnotationProblems(d: dashboard.Dashboard): string[] {
  const deploy = (d.annotations?.list ?? []).find((a) => a.name === DEPLOY_ANNOTATION);
  if (deploy === undefined || deploy.enable === false) return [`needs the "${DEPLOY_ANNOTATION}" annotation`];
  const expr = (deploy as { expr?: string }).expr ?? '';
  const problems = lintExpression(expr).map((p) => `annotation "${DEPLOY_ANNOTATION}": ${p}`);
  if (!/\bchanges\s*\(\s*process_start_time_seconds\b/.test(expr))
    problems.push(`annotation "${DEPLOY_ANNOTATION}" must mark changes(process_start_time_seconds)`);
  if (!isDatasourceRef(deploy.datasource))
    problems.push(`annotation "${DEPLOY_ANNOTATION}" must use $datasource`);
  return problems;
}

export function lintDashboard(d: dashboard.Dashboard): string[] {
  const problems: string[] = [];
  if (!d.uid || !/^[a-z0-9-]{1,40}$/.test(d.uid))
    problems.push('needs a stable uid of lowercase letters, digits and dashes');
  if (!d.title) problems.push('has no title');
  if (!d.description) problems.push('has no description');
  problems.push(...lintVariables(d), ...linkProblems(d), ...deployAnnotationProblems(d));
  for (const panel of panelsOf(d)) problems.push(...lintPanel(panel));
  return problems.map((p) => `${d.uid ?? d.title ?? '?'}: ${p}`);
}
