import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { toolOrSkip } from '../alerts/src/binaries';
import { listRuleExpressions } from '../alerts/src/expressions';
import {
  buildAllDashboards,
  listPanelExpressions,
  substituteVariables,
  type PanelExpression,
} from '../dashboards/src/expressions';
import { EXPECTED_EMPTY_PANELS, type EmptyPanelExpectation } from './expected-empty-panels';
import { evaluate, ruleGroups, type Evaluation } from './support/prometheus-api';
import { observeService, type ObservedService } from './support/observed-service';
import request from 'supertest';
import { AlertStripResponse, PanelDataResponse } from '../service/src/console/schemas';
import { createOperator } from '../service/test/support/identities';
import { SPECIALTY } from '../service/test/support/clinical-http';
import { runbookUrl } from '../alerts/src/conventions';

// DESIGN.md section 6: every query of the dashboards and rules is tested against a real Prometheus that
// scrapes the running service.

const panels = listPanelExpressions();
const where = (p: PanelExpression) => `${p.dashboardUid} / ${p.panelTitle} / ${p.refId}`;

function expectationFor(panel: PanelExpression): EmptyPanelExpectation | undefined {
  return EXPECTED_EMPTY_PANELS.find(
    (e) =>
      e.dashboardUid === panel.dashboardUid &&
      e.panelTitle === panel.panelTitle &&
      (e.refId === undefined || e.refId === panel.refId),
  );
}

describe('the list of panels expected to be empty', () => {
  it('names only real panel expressions, each once', () => {
    const unknown = EXPECTED_EMPTY_PANELS.filter(
      (e) =>
        !panels.some(
          (p) =>
            p.dashboardUid === e.dashboardUid &&
            p.panelTitle === e.panelTitle &&
            (e.refId === undefined || e.refId === p.refId),
        ),
    );
    expect(unknown, 'entries that match no panel expression').to.deep.equal([]);
    const keys = EXPECTED_EMPTY_PANELS.map((e) => `${e.dashboardUid}/${e.panelTitle}/${e.refId ?? '*'}`);
    expect(new Set(keys).size, 'duplicate entries').to.equal(keys.length);
  });
});

describe('dashboards and rules against a real Prometheus scraping the service', function () {
  // Starting Prometheus, a few 1 s scrapes and rule evaluations, then about 150 queries.
  this.timeout(120_000);
  let observed: ObservedService;
  let panelResults: Promise<Map<PanelExpression, Evaluation>> | undefined;

  before(async function () {
    observed = await observeService(toolOrSkip(this, 'prometheus'));
  });
  after(async () => observed?.stop());

  it('serves the console its declared panel queries and alerts through this Prometheus', async () => {
    // The observed service itself was told PROMETHEUS_URL, as a deployment's would be.
    const operator = await createOperator(observed.runtime);
    const http = () => request(observed.runtime.app.callback());
    // A minute past the settled evaluation, so the last grid point's rate window holds the workload.
    const to = Math.ceil(observed.settledAt) + 60;
    const range = `from=${to - 600}&to=${to}&step=15`;
    const rate = await http()
      .get(`/v1/ops/panels/service-overview.request-rate-by-route/data?${range}`)
      .set(operator.headers)
      .expect(200);
    const data = PanelDataResponse.parse(rate.body);
    expect(data.source).to.equal('prometheus');
    expect(data.series.some((s) => s.values.some((v) => v !== null))).to.equal(true);
    const strip = AlertStripResponse.parse(
      (await http().get('/v1/ops/alerts').set(operator.headers).expect(200)).body,
    );
    expect(strip.source).to.equal('prometheus');
    // The workload's unanswered request expired: Prometheus fires this (no `for:`) at its next evaluation.
    const expired = strip.alerts.find(
      (a) => a.name === 'CarewatchConsultationRequestExpired' && a.scope === SPECIALTY,
    );
    expect(expired, JSON.stringify(strip.alerts)).to.include({
      severity: 'warning',
      patientSafety: true,
      silenced: false,
      runbookUrl: runbookUrl('CarewatchConsultationRequestExpired'),
    });
    expect(expired?.summary).to.match(/expired without any provider/);
    expect(Date.parse(expired?.since ?? '')).to.be.within(Date.now() - 120_000, Date.now());
  });

  const evaluatePanels = () =>
    (panelResults ??= Promise.all(
      panels.map(
        async (p) => [p, await evaluate(observed.prometheusUrl, p.expr, observed.settledAt)] as const,
      ),
    ).then((entries) => new Map(entries)));

  it('loads every rule group of alerts/dist and evaluates every rule without error', async () => {
    const expectedGroups = observed.ruleFiles.flatMap((file) =>
      (parse(readFileSync(file, 'utf8')) as { groups: { name: string }[] }).groups.map((g) => g.name),
    );
    const groups = await ruleGroups(observed.prometheusUrl);
    expect(groups.map((g) => g.name)).to.have.members(expectedGroups);
    const unhealthy = groups
      .flatMap((g) => g.rules.map((r) => ({ group: g.name, ...r })))
      .filter((r) => r.health !== 'ok');
    expect(unhealthy).to.deep.equal([]);
  });

  it('answers every rule expression without error', async () => {
    const failures = [];
    for (const rule of listRuleExpressions()) {
      const result = await evaluate(observed.prometheusUrl, rule.expr, observed.settledAt);
      if (result.error !== undefined) failures.push(`${rule.file} / ${rule.name}: ${result.error}`);
    }
    expect(failures).to.deep.equal([]);
  });

  it('answers every annotation query (deploy markers) without error', async () => {
    const queries = buildAllDashboards().flatMap((d) =>
      (d.annotations?.list ?? []).flatMap((a) => {
        const expr = (a as { expr?: string }).expr;
        return expr === undefined
          ? []
          : [{ where: `${d.uid ?? '?'} / ${a.name}`, expr: substituteVariables(expr) }];
      }),
    );
    expect(queries).to.have.length.at.least(1);
    const failures = [];
    for (const query of queries) {
      const result = await evaluate(observed.prometheusUrl, query.expr, observed.settledAt);
      if (result.error !== undefined) failures.push(`${query.where}: ${result.error}`);
    }
    expect(failures).to.deep.equal([]);
  });

  it('answers every panel expression without error', async () => {
    const results = await evaluatePanels();
    const failures = panels.flatMap((p) => {
      const error = results.get(p)?.error;
      return error === undefined ? [] : [`${where(p)}: ${error}`];
    });
    expect(failures).to.deep.equal([]);
  });

  it('gets series for every panel the workload exercises, and none for those listed as empty', async () => {
    const results = await evaluatePanels();
    const problems = panels.flatMap((p) => {
      const series = results.get(p)?.series ?? 0;
      const expectation = expectationFor(p);
      if (expectation === undefined)
        return series > 0 ? [] : [`${where(p)}: no series (exercise it, or list it with a reason)`];
      if (expectation.kind === 'unstable' || series === 0) return [];
      return [`${where(p)}: now answers ${series} series; remove it from expected-empty-panels.ts`];
    });
    expect(problems).to.deep.equal([]);
  });
});
