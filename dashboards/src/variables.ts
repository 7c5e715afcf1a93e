import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { JOB } from '../../alerts/src/conventions';

// The template variables every Carewatch dashboard carries, following grafana/dashboard-linter:
// a Prometheus `datasource` variable that every query uses, `cluster` and `namespace` that pick ONE
// environment (single-valued, so no sum ever blends staging into production), and `job` and
// `instance` query variables that every selector filters on.

export const DATASOURCE_VARIABLE = 'datasource';
/** The reference every panel and target uses, so one dashboard works against any Prometheus. */
export const DATASOURCE = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
/** Matchers for the environment and target variables, to place inside a selector's braces. */
export const TARGET_MATCHERS =
  'cluster=~"$cluster", namespace=~"$namespace", job=~"$job", instance=~"$instance"';
/** The scrape jobs that are Carewatch's: `$job`'s "All" means these, never every job in Prometheus. */
export const CAREWATCH_JOBS: readonly string[] = [JOB];
export const CAREWATCH_JOBS_REGEX = CAREWATCH_JOBS.join('|');
/** The variables that choose one environment: never "All", never several values. */
export const ENVIRONMENT_VARIABLES = ['cluster', 'namespace'] as const;

function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Data source').type('prometheus');
}

function labelVariable(name: string, label: string, query: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
}

/** One value at a time: a sum over two clusters or namespaces would mix environments. */
function environmentVariable(name: string, label: string, query: string): dashboard.QueryVariableBuilder {
  return labelVariable(name, label, query).includeAll(false).multi(false);
}

/** Several values or "All", where "All" is `allValue`, a regex the selectors' `=~` needs no special case for. */
function multiVariable(name: string, label: string, query: string, allValue: string) {
  return labelVariable(name, label, query).includeAll(true).multi(true).allValue(allValue);
}

const CAREWATCH_UP = `up{job=~"${CAREWATCH_JOBS_REGEX}"}`;
const IN_ENVIRONMENT = 'cluster=~"$cluster", namespace=~"$namespace"';

export function standardVariables(): cog.Builder<dashboard.VariableModel>[] {
  return [
    datasourceVariable(),
    environmentVariable('cluster', 'Cluster', `label_values(${CAREWATCH_UP}, cluster)`),
    environmentVariable(
      'namespace',
      'Namespace',
      `label_values(up{job=~"${CAREWATCH_JOBS_REGEX}", cluster=~"$cluster"}, namespace)`,
    ),
    multiVariable(
      'job',
      'Job',
      `label_values(up{job=~"${CAREWATCH_JOBS_REGEX}", ${IN_ENVIRONMENT}}, job)`,
      CAREWATCH_JOBS_REGEX,
    ).current({ text: JOB, value: JOB }),
    multiVariable('instance', 'Instance', `label_values(up{${IN_ENVIRONMENT}, job=~"$job"}, instance)`, '.*'),
  ];
}
