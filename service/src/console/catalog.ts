import type { ConsoleDashboard, ConsolePanel } from '../../../dashboards/src/console-catalog';
import catalogJson from '../../../dashboards/catalog/panels.json';

// The console's panels, as `npm run build:dashboards` read them from the Grafana dashboards. The browser
// names a panel by id; only these panels' queries are ever run.

export type { ConsoleDashboard, ConsolePanel };

export const CONSOLE_DASHBOARDS = catalogJson as readonly ConsoleDashboard[];

const byId = new Map<string, ConsolePanel>(
  CONSOLE_DASHBOARDS.flatMap((dashboard) =>
    dashboard.rows.flatMap((row) => row.panels.map((panel): [string, ConsolePanel] => [panel.id, panel])),
  ),
);

export const findPanel = (id: string): ConsolePanel | undefined => byId.get(id);
