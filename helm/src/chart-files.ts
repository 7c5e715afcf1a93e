import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../alerts/src/generated-check';

// A chart can read only files inside its own directory, so the built rule files and dashboards are copied
// under helm/carewatch/files/ (by `npm run build:helm`), where the PrometheusRule and ConfigMap templates
// read them with .Files.Glob.

export const CHART_DIR = 'helm/carewatch';

const COPIES = [
  { from: 'alerts/dist', to: `${CHART_DIR}/files/alerts`, suffix: '.rules.yml' },
  { from: 'dashboards/dist', to: `${CHART_DIR}/files/dashboards`, suffix: '.json' },
] as const;

export const CHART_FILE_DIRS: readonly string[] = COPIES.map((c) => c.to);

/** Every copied file, keyed by its path from the repository root. */
export function chartFileOutputs(): Map<string, string> {
  return new Map(
    COPIES.flatMap(({ from, to, suffix }) =>
      readdirSync(join(REPO_ROOT, from))
        .filter((file) => file.endsWith(suffix))
        .map((file) => [`${to}/${file}`, readFileSync(join(REPO_ROOT, from, file), 'utf8')] as const),
    ),
  );
}
