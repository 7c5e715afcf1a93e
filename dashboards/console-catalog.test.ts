import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { CONSOLE_CATALOG_PATH, type ConsoleDashboard } from './src/console-catalog';
import { listPanelExpressions } from './src/expressions';

const catalog = JSON.parse(readFileSync(CONSOLE_CATALOG_PATH, 'utf8')) as ConsoleDashboard[];
const panels = catalog.flatMap((d) => d.rows.flatMap((row) => row.panels));

describe('the console panel catalog', () => {
  it('has one page per Grafana dashboard and every panel id once', () => {
    expect(catalog.map((d) => d.id)).to.have.members([
      'service-overview',
      'healthcare-operations',
      'hipaa-audit',
      'data-stores',
      'slo',
    ]);
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('carries exactly the PromQL of the Grafana dashboards, with title, description and unit', () => {
    const console = panels.flatMap((panel) => panel.targets.map((target) => target.expr)).sort();
    expect(console).to.deep.equal(
      listPanelExpressions()
        .map((e) => e.rawExpr)
        .sort(),
    );
    for (const panel of panels) {
      expect(panel.title, panel.id).to.not.equal('');
      expect(panel.description, panel.id).to.not.equal('');
      expect(panel.unit, panel.id).to.not.equal('');
    }
  });
});
