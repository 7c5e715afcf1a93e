import { readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import type { LoadTestAccount, LoadTestCredentials } from '../../db/seed/credentials';
import { totpCode } from '../../service/src/auth/totp';

/**
 * Hooks the personas in carewatch.yml call: pick a seeded account, compute TOTP codes, vary the client
 * address, and count what each persona saw. Artillery runs this file (bundled by its esbuild) in every
 * worker; state here is per worker.
 */

/** What artillery hands a hook; only the parts used here. */
interface VuContext {
  vars: Record<string, unknown>;
  scenario?: { name?: string };
}
interface Events {
  emit(kind: 'counter' | 'histogram', name: string, value: number): void;
}
interface RequestParams {
  headers?: Record<string, string>;
  json?: Record<string, unknown>;
}
interface Response {
  statusCode: number;
  timings?: { phases?: { total?: number } };
}
type Done = (error?: Error) => void;

const TOTP_PERIOD_MS = 30_000;

let loaded: LoadTestCredentials | undefined;
function credentials(): LoadTestCredentials {
  const path = process.env.LOAD_CREDENTIALS;
  if (!path) throw new Error('LOAD_CREDENTIALS must name the file written by db:seed --credentials');
  loaded ??= JSON.parse(readFileSync(path, 'utf8')) as LoadTestCredentials;
  return loaded;
}

/**
 * Staff accounts are handed out in turn from a random starting point, one worker's turn far from
 * another's: a TOTP code is single-use per 30-second step, so two virtual users signing in as the same
 * provider within a minute would refuse each other, which no real clinic does.
 */
const turns = new Map<string, number>();
function nextInTurn(role: 'providers' | 'admins'): LoadTestAccount {
  const accounts = credentials()[role];
  if (accounts.length === 0) throw new Error(`the credentials file has no ${role}`);
  const turn = turns.get(role) ?? randomInt(accounts.length);
  turns.set(role, turn + 1);
  return accounts[turn % accounts.length]!;
}

function signInAs(context: VuContext, account: LoadTestAccount): void {
  context.vars.email = account.email;
  context.vars.password = credentials().password;
  context.vars.totpSecret = account.totpSecret;
  context.vars.lastTotpStep = -1;
  // Each virtual user is one device somewhere: the service (TRUST_PROXY=true) limits per address.
  context.vars.clientAddress = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

export function pickPatient(context: VuContext, _events: Events, done: Done): void {
  // Any of them: patients sign in independently, and one patient twice at once is harmless.
  const { patients } = credentials();
  signInAs(context, patients[randomInt(patients.length)]!);
  done();
}

export function pickProvider(context: VuContext, _events: Events, done: Done): void {
  signInAs(context, nextInTurn('providers'));
  done();
}

export function pickAdmin(context: VuContext, _events: Events, done: Done): void {
  signInAs(context, nextInTurn('admins'));
  done();
}

export function anonymousVisitor(context: VuContext, _events: Events, done: Done): void {
  context.vars.clientAddress = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  done();
}

/**
 * Puts the next unused code in the request body: the service accepts one step either side of now and
 * each step once, so a login and a step-up in the same half minute use this step's code and the next
 * one's; a third code in that half minute waits for the app to show it, as a person would. A request
 * hook rather than a flow function, so that a skipped step-up uses no step.
 */
export function withTotpCode(request: RequestParams, context: VuContext, _events: Events, next: Done): void {
  const secret = context.vars.totpSecret as string;
  const now = Date.now();
  const step = Math.max(Math.floor(now / TOTP_PERIOD_MS), (context.vars.lastTotpStep as number) + 1);
  context.vars.lastTotpStep = step;
  request.json = { ...request.json, code: totpCode(secret, step * TOTP_PERIOD_MS) };
  // Accepted from one step before its own: until then, wait.
  const acceptedFrom = (step - 1) * TOTP_PERIOD_MS;
  if (acceptedFrom > now) setTimeout(next, acceptedFrom - now);
  else next();
}

/** A specialty and a reason, as a patient requesting a visit would choose them. */
const REASONS = [
  'Sore throat and fever for two days',
  'Rash on forearm, itchy',
  'Follow-up on blood pressure readings',
  'Trouble sleeping for a few weeks',
  'Child with ear pain since last night',
];
const SPECIALTIES = ['general_practice', 'urgent_care', 'dermatology', 'psychiatry', 'pediatrics'];
export function chooseVisit(context: VuContext, _events: Events, done: Done): void {
  const pick = randomInt(REASONS.length);
  context.vars.reason = REASONS[pick];
  context.vars.specialty = SPECIALTIES[pick];
  // About a third of sessions ask for a visit, and about a third of those cancel it.
  context.vars.requestVisit = randomInt(100) < 35;
  context.vars.cancelIt = randomInt(100) < 33;
  done();
}

/** Report ranges (the last week, whole days) and an audit export window (the last minute: kept small). */
export function chooseRanges(context: VuContext, _events: Events, done: Done): void {
  const now = Date.now();
  context.vars.reportTo = new Date(now).toISOString().slice(0, 10);
  context.vars.reportFrom = new Date(now - 7 * 86_400_000).toISOString().slice(0, 10);
  context.vars.exportFrom = new Date(now - 60_000).toISOString();
  context.vars.exportTo = new Date(now).toISOString();
  done();
}

/** Each pass over the queue starts empty-handed: an old id must not be accepted twice. */
export function forgetConsultation(context: VuContext, _events: Events, done: Done): void {
  delete context.vars.consultationId;
  context.vars.accepted = false;
  done();
}

export function withClientAddress(
  request: RequestParams,
  context: VuContext,
  _events: Events,
  next: Done,
): void {
  request.headers = { ...request.headers, 'x-forwarded-for': context.vars.clientAddress as string };
  next();
}

/** Response time by persona (the scenario's name), and the accept race: who won it goes on. */
export function observe(
  _request: RequestParams,
  response: Response,
  context: VuContext,
  events: Events,
  next: Done,
): void {
  const persona = context.scenario?.name ?? 'unnamed';
  const total = response.timings?.phases?.total;
  if (total !== undefined) events.emit('histogram', `persona.${persona}.response_time`, total);
  events.emit('counter', `persona.${persona}.requests`, 1);
  next();
}

export function noteAcceptance(
  request: RequestParams,
  response: Response,
  context: VuContext,
  events: Events,
  next: Done,
): void {
  context.vars.accepted = response.statusCode === 200;
  events.emit('counter', response.statusCode === 200 ? 'queue.accept.won' : 'queue.accept.lost', 1);
  observe(request, response, context, events, next);
}
