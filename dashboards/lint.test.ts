import { expect } from 'chai';
import { buildAllDashboards } from './src/expressions';
import { lintDashboard, lintExpression } from './src/lint';

describe('dashboard lint', () => {
  for (const d of buildAllDashboards()) {
    it(`${d.uid ?? '?'} follows the dashboard-linter rules`, () => {
      expect(lintDashboard(d)).to.deep.equal([]);
    });
  }

  it('has unique uids', () => {
    const uids = buildAllDashboards().map((d) => d.uid);
    expect(new Set(uids).size).to.equal(uids.length);
  });

  // The linter must catch what it claims to: each bad expression names its problem.
  const ok = 'cluster=~"$cluster", namespace=~"$namespace", job=~"$job", instance=~"$instance"';
  const bad: [string, string, RegExp][] = [
    ['a fixed rate window', `rate(up_total{${ok}}[5m])`, /\$__rate_interval/],
    [
      'a clinical quantile over the rate interval (empty at a few events an hour)',
      `histogram_quantile(0.95, sum by (le) (rate(carewatch_consultation_time_to_acceptance_seconds_bucket{${ok}}[$__rate_interval])))`,
      /must use \[30m\]/,
    ],
    [
      'a zoom-dependent count',
      `sum(increase(carewatch_auth_lockouts_total{${ok}}[$__rate_interval]))`,
      /must use \[1h\]/,
    ],
    ['a counter without rate', `sum(carewatch_audit_events_total{${ok}})`, /must be wrapped/],
    ['a histogram bucket without rate', `histogram_quantile(0.9, x_bucket{${ok}})`, /must be wrapped/],
    ['a missing job matcher', 'max(up{instance=~"$instance"})', /job=~"\$job"/],
    ['a missing instance matcher', 'max(up{job=~"$job"})', /instance=~"\$instance"/],
    [
      'a selector that blends clusters',
      'max(up{namespace=~"$namespace", job=~"$job", instance=~"$instance"})',
      /lacks cluster=~"\$cluster"/,
    ],
    [
      'a selector that blends namespaces',
      'max(up{cluster=~"$cluster", job=~"$job", instance=~"$instance"})',
      /lacks namespace=~"\$namespace"/,
    ],
    ['a bare metric name', 'max(up)', /lacks job/],
    [
      'a raw path label',
      `sum(rate(x_total{${ok}, path="/v1/patients/12"}[$__rate_interval]))`,
      /raw path label/,
    ],
    [
      'a raw route with an id',
      `sum(rate(x_total{${ok}, route="/v1/patients/12"}[$__rate_interval]))`,
      /raw path with an id/,
    ],
  ];
  for (const [what, expr, problem] of bad) {
    it(`rejects ${what}`, () => {
      expect(lintExpression(expr).join('\n')).to.match(problem);
    });
  }

  it('accepts recorded SLO series without job, instance or rate interval', () => {
    expect(
      lintExpression('slo:period_error_budget_remaining:ratio{sloth_service="carewatch"}'),
    ).to.deep.equal([]);
  });

  it('rejects a panel without unit, description or datasource', () => {
    const [d] = buildAllDashboards();
    if (d === undefined) throw new Error('no dashboards');
    const panel = (d.panels ?? []).find((p) => p.type !== 'row') as {
      fieldConfig: { defaults: { unit?: string } };
      description?: string;
      datasource?: unknown;
    };
    delete panel.fieldConfig.defaults.unit;
    delete panel.description;
    panel.datasource = { type: 'prometheus', uid: 'prod-prometheus' };
    const problems = lintDashboard(d).join('\n');
    expect(problems).to.match(/no valid unit/);
    expect(problems).to.match(/no description/);
    expect(problems).to.match(/does not use the \$datasource variable/);
  });

  it('rejects a hidden legend, a missing table legend, default thresholds and a missing alert threshold', () => {
    const overview = buildAllDashboards().find((d) => d.uid === 'carewatch-service-overview')!;
    const lag = (overview.panels ?? []).find((p) => p.title === 'Event loop lag') as {
      options: { legend: { showLegend: boolean; displayMode: string } };
      fieldConfig: { defaults: { thresholds: { steps: { value: number | null; color: string }[] } } };
    };
    lag.options.legend.showLegend = false;
    lag.options.legend.displayMode = 'list';
    lag.fieldConfig.defaults.thresholds.steps = [
      { value: null, color: 'green' },
      { value: 80, color: 'red' },
    ];
    const problems = lintDashboard(overview).join('\n');
    expect(problems).to.match(/"Event loop lag" hides its legend/);
    expect(problems).to.match(/"Event loop lag" has many series but no table legend/);
    expect(problems).to.match(/"Event loop lag" keeps Grafana's default threshold of 80/);
    expect(problems).to.match(/"Event loop lag" lacks the alert threshold\(s\) 0.2 red/);
  });

  const overviewOf = () => buildAllDashboards().find((d) => d.uid === 'carewatch-service-overview')!;
  const variable = (d: ReturnType<typeof overviewOf>, name: string) =>
    d.templating.list!.find((v) => v.name === name)!;

  it('rejects an environment variable with "All" or several values, and a missing one', () => {
    const d = overviewOf();
    variable(d, 'cluster').includeAll = true;
    variable(d, 'namespace').multi = true;
    const problems = lintDashboard(d).join('\n');
    expect(problems).to.match(/variable "cluster" must hold one value/);
    expect(problems).to.match(/variable "namespace" must hold one value/);
    d.templating.list = d.templating.list!.filter((v) => v.name !== 'cluster');
    expect(lintDashboard(d).join('\n')).to.match(/needs a query variable "cluster"/);
  });

  it('rejects a $job whose "All" or list reaches beyond Carewatch\'s jobs', () => {
    const d = overviewOf();
    variable(d, 'job').allValue = '.*';
    variable(d, 'job').query = 'label_values(up, job)';
    const problems = lintDashboard(d).join('\n');
    expect(problems).to.match(/"job" must mean Carewatch's jobs by "All"/);
    expect(problems).to.match(/"job" must list only Carewatch's jobs/);
  });

  it('rejects a dashboard without links to the other Carewatch dashboards', () => {
    const d = overviewOf();
    d.links = [];
    expect(lintDashboard(d).join('\n')).to.match(/needs a link to the "carewatch" dashboards/);
  });

  it('rejects a dashboard without the deploy annotation, or one that blends environments', () => {
    const d = overviewOf();
    const deploy = d.annotations.list!.find((a) => a.name === 'Deploys and restarts') as { expr: string };
    deploy.expr = 'changes(process_start_time_seconds{job=~"$job", instance=~"$instance"}[$__interval]) > 0';
    expect(lintDashboard(d).join('\n')).to.match(/annotation "Deploys and restarts": .*lacks cluster/);
    d.annotations.list = [];
    expect(lintDashboard(d).join('\n')).to.match(/needs the "Deploys and restarts" annotation/);
  });

  it("rejects a panel that shows an alert's signal without its runbook link", () => {
    const d = overviewOf();
    const lag = (d.panels ?? []).find((p) => p.title === 'Event loop lag') as { links?: unknown[] };
    expect(lag.links).to.have.length(1);
    lag.links = [];
    expect(lintDashboard(d).join('\n')).to.match(
      /"Event loop lag" has no link to the runbook of CarewatchEventLoopLagHigh/,
    );
  });
});
