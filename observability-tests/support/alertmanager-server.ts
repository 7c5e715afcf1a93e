import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../../alerts/src/generated-check';
import { freePort } from '../../service/src/platform/embedded/database';
import { startDaemon, type RunningDaemon } from './daemon';

// A real Alertmanager for tests, with Carewatch's generated routing (alerts/dist/alertmanager.yml). Its
// receivers are placeholder webhooks on 127.0.0.1:9099; here they point at a port nobody listens on, so
// a test never posts to whatever else runs on this machine.

const CONFIG = join(REPO_ROOT, 'alerts', 'dist', 'alertmanager.yml');
const PLACEHOLDER_HOOKS = 'http://127.0.0.1:9099/';

export async function startAlertmanager(binary: string): Promise<RunningDaemon> {
  const nowhere = `http://127.0.0.1:${await freePort()}/`;
  return startDaemon({
    name: 'Alertmanager',
    binary,
    async prepare(dir, address) {
      const configFile = join(dir, 'alertmanager.yml');
      await writeFile(configFile, (await readFile(CONFIG, 'utf8')).replaceAll(PLACEHOLDER_HOOKS, nowhere));
      return [
        `--config.file=${configFile}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=${address}`,
        // One Alertmanager, not a cluster: no gossip port to collide with anyone's.
        '--cluster.listen-address=',
        '--log.level=error',
      ];
    },
  });
}

const alertList = z.array(
  z.object({
    labels: z.record(z.string(), z.string()),
    status: z.object({ state: z.string(), silencedBy: z.array(z.string()) }),
  }),
);

/** The alerts Alertmanager holds now, active, silenced or inhibited (API v2). */
export async function alertmanagerAlerts(url: string): Promise<z.infer<typeof alertList>> {
  const response = await fetch(`${url}/api/v2/alerts?active=true&silenced=true&inhibited=true`);
  return alertList.parse(await response.json());
}

/** Silences alerts whose labels equal `labels` for an hour, through the API v2; resolves to its id. */
export async function silence(url: string, labels: Record<string, string>, comment: string): Promise<string> {
  const startsAt = new Date();
  const response = await fetch(`${url}/api/v2/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      matchers: Object.entries(labels).map(([name, value]) => ({
        name,
        value,
        isRegex: false,
        isEqual: true,
      })),
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
      createdBy: 'carewatch-tests',
      comment,
    }),
  });
  if (!response.ok)
    throw new Error(`Alertmanager refused the silence: ${response.status} ${await response.text()}`);
  return z.object({ silenceID: z.string() }).parse(await response.json()).silenceID;
}
