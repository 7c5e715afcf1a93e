/**
 * What the benchmarks that drive the built service (`npm start`'s way, one process each) share: starting
 * and stopping instances, an OTLP sink for their traces, one autocannon slice with the CPU the service
 * spent on it (from its own /metrics), and a signed-in patient.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import type { StartedService } from '../service/test/support/service-process';
import { percentile } from './percentile';

export interface Figures {
  readonly requestsPerSecond: number;
  /** CPU time of the service process (user + system) per request answered, in microseconds. */
  readonly cpuMicroseconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

export const median = (values: readonly number[]) => percentile(values, 50);

/** Longer than any run: the measured instances never seal the audit chain. */
export const NEVER_MS = String(24 * 3600 * 1000);

/** An OTLP/HTTP receiver that reads and drops every export, counting requests and bytes. */
export async function startSink(): Promise<{ server: Server; url: string; received: () => string }> {
  let requests = 0;
  let bytes = 0;
  const server = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      requests += 1;
      response.writeHead(request.url === '/v1/traces' ? 200 : 404, { 'Content-Type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    received: () => `${requests} exports, ${(bytes / 1024).toFixed(0)} KiB`,
  };
}

/** The CPU seconds the service has used so far, from its own /metrics. */
async function cpuSeconds(port: number): Promise<number> {
  const body = await fetch(`http://127.0.0.1:${port}/metrics`).then((response) => response.text());
  const match = /^process_cpu_seconds_total (\S+)$/m.exec(body);
  if (!match) throw new Error('process_cpu_seconds_total is missing from /metrics');
  return Number(match[1]);
}

export interface Slice {
  readonly port: number;
  readonly path: string;
  readonly duration: number;
  readonly connections: number;
  readonly headers?: Record<string, string>;
  /** Requests per second to send in all (autocannon -R); unlimited when absent. */
  readonly overallRate?: number;
  /** False for a server without /metrics (the hello-world baseline): no CPU figure then. */
  readonly measureCpu?: boolean;
}

/** One autocannon run against one instance, with the CPU the instance spent on it. */
export async function load(slice: Slice): Promise<Figures> {
  const measureCpu = slice.measureCpu ?? true;
  const cpuBefore = measureCpu ? await cpuSeconds(slice.port) : 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${slice.port}${slice.path}`,
    connections: slice.connections,
    duration: slice.duration,
    headers: slice.headers ?? {},
    ...(slice.overallRate ? { overallRate: slice.overallRate } : {}),
  });
  const cpuUsed = measureCpu ? (await cpuSeconds(slice.port)) - cpuBefore : NaN;
  return {
    requestsPerSecond: result.requests.average,
    cpuMicroseconds: (cpuUsed * 1e6) / result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/** Registers a patient on one instance and signs in; the token works on every instance (shared keys). */
export async function signedInPatient(port: number): Promise<Record<string, string>> {
  const base = `http://127.0.0.1:${port}/v1/auth`;
  const email = `bench-${randomBytes(4).toString('hex')}@example.test`;
  const password = `bench-${randomBytes(9).toString('base64url')}-Pw`;
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const registered = await post('/register', {
    email,
    password,
    givenName: 'Bench',
    familyName: 'Patient',
    dateOfBirth: '1980-01-01',
  });
  if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
  const login = await post('/login', { email, password });
  const { accessToken } = (await login.json()) as { accessToken: string };
  return { authorization: `Bearer ${accessToken}` };
}

/** Stops instances one by one (SIGTERM, as an orchestrator does) and waits for each to exit. */
export async function stopAll(services: readonly Pick<StartedService, 'child'>[]): Promise<void> {
  for (const service of services) {
    if (service.child.exitCode !== null) continue;
    const exited = new Promise((resolve) => service.child.once('exit', resolve));
    service.child.kill('SIGTERM');
    await exited;
  }
}
