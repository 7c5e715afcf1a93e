import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';

/** What one seed run makes. Everything that shapes the data is here, so a run can be repeated exactly. */
export interface SeedOptions {
  readonly patients: number;
  readonly providers: number;
  /** Admin accounts, enrolled in TOTP like providers (load tests run the admin persona with them). */
  readonly admins: number;
  /** A path: where to write the load-test credentials (accounts, password, TOTP secrets); none when undefined. */
  readonly credentials?: string;
  /** Drives every generated value: the same seed makes the same people, consultations and prescriptions. */
  readonly seed: number;
  /** Goes into ids, emails and license numbers, so several runs can share one database without colliding. */
  readonly runTag: string;
  /** The moment the generated history ends ("now" for the data); consultations cover `days` before it. */
  readonly end: Date;
  readonly days: number;
  /** Requests made in the hour before `end`, so the data ends with a live queue and visits in progress. */
  readonly inFlight: number;
  /** How long a request waits for a provider before it expires (CONSULTATION_REQUEST_TTL). */
  readonly requestTtlSeconds: number;
  readonly batchSize: number;
}

const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  patients: positiveInt.max(1_000_000),
  providers: positiveInt.max(100_000),
  admins: z.coerce.number().int().min(0).max(1000).default(0),
  credentials: z.string().min(1).optional(),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  runTag: z.string().regex(/^[a-z0-9-]{1,24}$/, 'lower-case letters, digits and dashes, at most 24'),
  end: z.coerce.date(),
  days: positiveInt.max(3650),
  inFlight: z.coerce.number().int().min(0).max(100_000),
  requestTtlSeconds: positiveInt,
  batchSize: positiveInt.max(50_000),
});

export const SEED_USAGE = `usage: npm run db:seed -- [--patients N] [--providers N] [--admins N] [--seed N] [--run-tag TAG]
                          [--end ISO-8601] [--days N] [--in-flight N] [--batch-size N]
                          [--credentials FILE]`;

/** A tag that differs between runs: a new run never collides with the accounts of an earlier one. */
export function newRunTag(): string {
  return `r${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
}

/** Reads the command-line flags; throws with every problem named when a value is out of range. */
export function parseSeedOptions(argv: string[], requestTtlSeconds: number): SeedOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      patients: { type: 'string', default: '1000' },
      providers: { type: 'string', default: '50' },
      admins: { type: 'string', default: '0' },
      credentials: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'run-tag': { type: 'string' },
      end: { type: 'string' },
      days: { type: 'string', default: '90' },
      'in-flight': { type: 'string' },
      'batch-size': { type: 'string', default: '2000' },
    },
  });
  return buildSeedOptions({
    patients: values.patients,
    providers: values.providers,
    admins: values.admins,
    credentials: values.credentials,
    seed: values.seed,
    runTag: values['run-tag'] ?? newRunTag(),
    end: values.end ?? new Date(),
    days: values.days,
    // About what the last hour holds at the history's own rate in the daytime, and never an empty queue.
    inFlight: values['in-flight'] ?? Math.max(5, Math.round(Number(values.patients) / 500)),
    requestTtlSeconds,
    batchSize: values['batch-size'],
  });
}

const flagName = (key: string) => key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

type OptionalKey = 'admins' | 'credentials';

export function buildSeedOptions(
  input: Record<Exclude<keyof SeedOptions, OptionalKey>, unknown> & Partial<Record<OptionalKey, unknown>>,
): SeedOptions {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new Error(
      parsed.error.issues.map((issue) => `--${flagName(issue.path.join('.'))}: ${issue.message}`).join('\n'),
    );
  }
  return Object.freeze(parsed.data);
}
