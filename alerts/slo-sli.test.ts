import { expect } from 'chai';
import { AVAILABILITY_SLO, SLI_EXCLUDED_ROUTES } from './src/slo-definitions';
import { SLO_RULES } from './src/rule-files';
import { isAlertRule } from './src/types';

// Issue 12, point 7: probes and scrapes do not spend the availability budget, and a burn-rate
// notification names the windows that fired. The promtool cases prove both on data; these pin the shape.

describe('the availability SLI and its burn-rate alerts', () => {
  it('excludes /healthz, /readyz and /metrics from both the bad and the total events', () => {
    for (const query of [AVAILABILITY_SLO.errorQuery, AVAILABILITY_SLO.totalQuery])
      expect(query).to.include(`route!~"${SLI_EXCLUDED_ROUTES.join('|')}"`);
  });

  it('names the short and long windows of the pair that fired in every burn-rate description', () => {
    const burnAlerts = SLO_RULES.groups.flatMap((g) => g.rules.filter(isAlertRule));
    expect(burnAlerts).to.have.length(4);
    for (const alert of burnAlerts) {
      expect(alert.annotations.description, alert.alert).to.include('{{ $labels.short_window }}');
      expect(alert.annotations.description, alert.alert).to.include('{{ $labels.long_window }}');
      expect(alert.expr, alert.alert).to.include('"long_window"');
    }
  });
});
