import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile } from './percentile';

/**
 * Requests at a fixed rate, evenly spaced (open loop), for "latency at N req/s". autocannon's rate
 * (`-R`) is a budget per second per connection: each connection sends back to back until it has spent
 * its share, then waits for the next second. At 1,000 req/s against a service that does 1,800, every
 * second began with half a second of saturation, and autocannon's coordinated-omission correction added
 * synthetic samples on top: /healthz itself measured p50 9 ms that way at 200 req/s.
 *
 * Each latency runs from the moment the request was due, not when it was sent: a client that falls
 * behind (or a server that stalls it) shows in the figures instead of hiding the wait.
 */
export interface PacedLoad {
  readonly port: number;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly rate: number;
  readonly seconds: number;
  /** Keep-alive connections at most; more requests in flight than this wait for a free one. */
  readonly maxConnections?: number;
  /** Told each answered request: when it was due (ms from the start) and its latency (ms). */
  readonly onAnswer?: (dueMs: number, latencyMs: number) => void;
}

/** The median, 99th percentile and worst of some latencies, in ms to a tenth. */
export interface LatencyFigures {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface PacedFigures extends LatencyFigures {
  readonly requestsPerSecond: number;
  readonly errors: number;
}

export function latencyFigures(latencies: readonly number[]): LatencyFigures {
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    max: round(Math.max(...latencies)),
  };
}

/** Sends one request; resolves with its status (0 on a transport error) once the body is read. */
function send(agent: Agent, port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const outgoing = request({ host: '127.0.0.1', port, path, headers, agent }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.once('error', () => resolve(0));
    outgoing.end();
  });
}

export async function pacedLoad(load: PacedLoad): Promise<PacedFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.maxConnections ?? 64 });
  const total = Math.round(load.rate * load.seconds);
  const intervalMs = 1000 / load.rate;
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let errors = 0;
  const started = performance.now();
  let sent = 0;
  try {
    while (sent < total) {
      // Every request whose time has come leaves now; then sleep until the next one is due.
      const now = performance.now();
      while (sent < total && started + sent * intervalMs <= now) {
        const due = started + sent * intervalMs;
        pending.push(
          send(agent, load.port, load.path, load.headers ?? {}).then((status) => {
            if (status < 200 || status >= 300) errors += 1;
            else {
              const latency = performance.now() - due;
              latencies.push(latency);
              load.onAnswer?.(due - started, latency);
            }
          }),
        );
        sent += 1;
      }
      const wait = started + sent * intervalMs - performance.now();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
    }
    await Promise.all(pending);
  } finally {
    agent.destroy();
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  return { requestsPerSecond: latencies.length / elapsedSeconds, ...latencyFigures(latencies), errors };
}
