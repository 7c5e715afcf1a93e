import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { CONSOLE_CATALOG_PATH, consoleCatalog } from './console-catalog';
import { dataStores } from './data-stores';
import { healthcareOperations } from './healthcare-operations';
import { hipaaAudit } from './hipaa-audit';
import { serviceOverview } from './service-overview';
import { slo } from './slo';

/** Every dashboard with the file it is built into (dashboards/dist/<file>.json). */
export const DASHBOARDS: readonly { file: string; build: () => dashboard.Dashboard }[] = [
  { file: 'service-overview', build: serviceOverview },
  { file: 'healthcare-operations', build: healthcareOperations },
  { file: 'hipaa-audit', build: hipaaAudit },
  { file: 'data-stores', build: dataStores },
  { file: 'slo', build: slo },
];

export function dashboardPath(file: string): string {
  return `dashboards/dist/${file}.json`;
}

export function renderDashboard(d: dashboard.Dashboard): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}

/** Every generated file, keyed by its path from the repository root. */
export function dashboardOutputs(): Map<string, string> {
  return new Map([
    ...DASHBOARDS.map((d): [string, string] => [dashboardPath(d.file), renderDashboard(d.build())]),
    // The operations console reads the same panels (see console-catalog.ts).
    [CONSOLE_CATALOG_PATH, `${JSON.stringify(consoleCatalog(DASHBOARDS), null, 2)}\n`],
  ]);
}
