import { parseArgs } from 'node:util';
import { PROFILES, type Profile } from './profiles';

export interface LoadOptions {
  readonly profile: Profile;
  /** The service under test; when absent the runner seeds and starts one instance itself. */
  readonly target: string | undefined;
  /** The file `db:seed --credentials` wrote for the target's database (required with --target). */
  readonly credentials: string | undefined;
  /** Artillery worker threads (each a core's worth of load generation at most). */
  readonly workers: number;
  /** host:port of every instance Prometheus scrapes; the target's own address by default. */
  readonly scrape: string[];
  /** Process ids whose CPU counts as the service's (found from the target's port when local). */
  readonly servicePids: number[];
  readonly port: number;
  readonly prometheusPort: number;
  /**
   * Artillery phases replacing the profile's own (a shortened day for a short quiet window, say); the
   * report prints them, so a shortened run never passes for the full profile.
   */
  readonly phases: ArtilleryPhase[] | undefined;
}

/** One artillery load phase, as carewatch.yml writes them. */
export interface ArtilleryPhase {
  readonly name?: string;
  readonly duration: number;
  readonly arrivalRate: number;
  readonly rampTo?: number;
}

const isPhase = (value: unknown): value is ArtilleryPhase => {
  const phase = value as Partial<ArtilleryPhase> | null;
  const positive = (number: unknown) => typeof number === 'number' && number > 0;
  return (
    typeof phase === 'object' &&
    phase !== null &&
    positive(phase.duration) &&
    positive(phase.arrivalRate) &&
    (phase.rampTo === undefined || positive(phase.rampTo))
  );
};

function parsePhases(text: string | undefined): ArtilleryPhase[] | undefined {
  if (text === undefined) return undefined;
  const phases: unknown = JSON.parse(text);
  if (!Array.isArray(phases) || phases.length === 0 || !phases.every(isPhase))
    throw new Error(
      '--phases: a JSON array of {duration, arrivalRate, rampTo?, name?}, durations in seconds',
    );
  return phases;
}

export const LOAD_USAGE = `usage: npm run load -- <${PROFILES.join('|')}> [--target URL --credentials FILE]
                       [--workers N] [--scrape host:port,...] [--service-pid PID,...]
                       [--port 3160] [--prometheus-port 16090]
                       [--phases '[{"name":"day","duration":300,"arrivalRate":50}]']`;

const isProfile = (value: string | undefined): value is Profile =>
  (PROFILES as readonly string[]).includes(value ?? '');

const integer = (flag: string, value: string, min: number, max: number) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max)
    throw new Error(`--${flag}: an integer from ${min} to ${max}`);
  return parsed;
};

export function parseLoadOptions(argv: string[]): LoadOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      credentials: { type: 'string' },
      workers: { type: 'string', default: '1' },
      scrape: { type: 'string' },
      'service-pid': { type: 'string' },
      port: { type: 'string', default: process.env.LOAD_PORT ?? '3160' },
      'prometheus-port': { type: 'string', default: '16090' },
      phases: { type: 'string' },
    },
  });
  const [profile] = positionals;
  if (!isProfile(profile)) throw new Error(`unknown profile ${profile ?? '(none)'}`);
  const target = values.target?.replace(/\/$/, '');
  if (target && !values.credentials)
    throw new Error('--target needs --credentials: the file db:seed --credentials wrote for its database');
  const port = integer('port', values.port, 1, 65535);
  const address = new URL(target ?? `http://127.0.0.1:${port}`);
  return {
    profile,
    target,
    credentials: values.credentials,
    workers: integer('workers', values.workers, 1, 16),
    scrape: values.scrape?.split(',') ?? [`${address.hostname}:${address.port || 80}`],
    servicePids: (values['service-pid']?.split(',') ?? []).map((pid) =>
      integer('service-pid', pid, 1, 2 ** 22),
    ),
    port,
    prometheusPort: integer('prometheus-port', values['prometheus-port'], 1, 65535),
    phases: parsePhases(values.phases),
  };
}

/** "60 s 5→50/s, 300 s 50/s": how the report names phases given on the command line. */
export const describePhases = (phases: readonly ArtilleryPhase[]) =>
  phases
    .map(
      (phase) =>
        `${phase.duration} s ${phase.arrivalRate}${phase.rampTo === undefined ? '' : `→${phase.rampTo}`}/s`,
    )
    .join(', ');
