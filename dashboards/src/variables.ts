import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { JOB } from '../../alerts/src/conventions';

// The template variables every Carewatch dashboard carries, following grafana/dashboard-linter:
// a Prometheus `datasource` variable that every query uses, and `job` and `instance` query
// variables that every selector filters on.

export const DATASOURCE_VARIABLE = 'datasource';
/** The reference every panel and target uses, so one dashboard works against any Prometheus. */
export const DATASOURCE = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
/** Matchers for the job and instance variables, to place inside a selector's braces. */
export const TARGET_MATCHERS = 'job=~"$job", instance=~"$instance"';

function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Data source').type('prometheus');
}

function labelVariable(name: string, label: string, query: string): dashboard.QueryVariableBuilder {
  return (
    new dashboard.QueryVariableBuilder(name)
      .label(label)
      .datasource(DATASOURCE)
      .query(query)
      .definition(query)
      .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
      .sort(dashboard.VariableSort.AlphabeticalAsc)
      .includeAll(true)
      .multi(true)
      // "All" becomes a regex matching every value, so `=~"$instance"` needs no special case.
      .allValue('.*')
  );
}

export function standardVariables(): cog.Builder<dashboard.VariableModel>[] {
  return [
    datasourceVariable(),
    labelVariable('job', 'Job', 'label_values(up, job)').current({ text: JOB, value: JOB }),
    labelVariable('instance', 'Instance', 'label_values(up{job=~"$job"}, instance)'),
  ];
}
