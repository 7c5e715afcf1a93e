import CircuitBreaker from 'opossum';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';

/**
 * A circuit breaker around calls to something outside the service (an identity provider, a payment
 * gateway). Every call has a timeout; after enough failures the breaker opens and calls fail at once
 * instead of waiting on a dependency that is down; after `resetTimeoutMs` one probe call is let through
 * (half open) and its outcome closes or reopens the breaker. The state is published as the
 * `carewatch_circuit_breaker_state{breaker}` gauge and every change is logged.
 */
export interface BreakerOptions {
  /** A call that takes longer fails, and its work is aborted through the signal it was given. */
  readonly timeoutMs: number;
  /** How long the breaker stays open before letting one probe call through. */
  readonly resetTimeoutMs?: number;
  /** Failure percentage, over the rolling window, that opens the breaker. */
  readonly errorThresholdPercentage?: number;
  /** Calls needed in the rolling window before failures can open the breaker. */
  readonly volumeThreshold?: number;
  /** Length of the rolling window over which failures are counted. */
  readonly rollingWindowMs?: number;
}

export interface BreakerDependencies {
  readonly metrics: Metrics;
  readonly logger: Logger;
}

export type BreakerState = 'closed' | 'half_open' | 'open';

const GAUGE_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, half_open: 1, open: 2 };

/** Opossum's error codes for a call it refused or cut short, as opposed to the call's own failure. */
const REJECTED_CODES = new Set(['EOPENBREAKER', 'ETIMEDOUT', 'ESEMLOCKED', 'ESHUTDOWN']);

export interface Breaker<TArgs extends unknown[], TResult> {
  readonly name: string;
  fire(...args: TArgs): Promise<TResult>;
  state(): BreakerState;
  /** Stops the breaker's timers; later calls fail. */
  close(): void;
}

/** True when the breaker refused the call (open, timed out, shut down) rather than the call failing by itself. */
export function isBreakerRejection(error: unknown): boolean {
  return error instanceof Error && REJECTED_CODES.has((error as NodeJS.ErrnoException).code ?? '');
}

/**
 * Wraps `action`, which receives an AbortSignal first: it is aborted when the call times out (and once
 * the call has settled), so a timed-out request does not keep a socket busy in the background.
 */
export function createBreaker<TArgs extends unknown[], TResult>(
  name: string,
  action: (signal: AbortSignal, ...args: TArgs) => Promise<TResult>,
  options: BreakerOptions,
  deps: BreakerDependencies,
): Breaker<TArgs, TResult> {
  const resetTimeoutMs = options.resetTimeoutMs ?? 30_000;
  const breaker = new CircuitBreaker<[AbortSignal, ...TArgs], TResult>(action, {
    name,
    timeout: options.timeoutMs,
    resetTimeout: resetTimeoutMs,
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    volumeThreshold: options.volumeThreshold ?? 2,
    rollingCountTimeout: options.rollingWindowMs ?? 10_000,
  });

  const state = (): BreakerState => (breaker.opened ? 'open' : breaker.halfOpen ? 'half_open' : 'closed');
  const publish = (): void => {
    deps.metrics.breakers.state.set({ breaker: name }, GAUGE_VALUE[state()]);
  };
  publish();
  breaker.on('open', () => {
    publish();
    deps.logger.warn('circuit breaker opened', { breaker: name, resetTimeoutMs });
  });
  breaker.on('halfOpen', () => {
    publish();
    deps.logger.info('circuit breaker half open', { breaker: name });
  });
  breaker.on('close', () => {
    publish();
    deps.logger.info('circuit breaker closed', { breaker: name });
  });
  breaker.on('timeout', () =>
    deps.logger.warn('circuit breaker call timed out', { breaker: name, timeoutMs: options.timeoutMs }),
  );

  return {
    name,
    async fire(...args) {
      const controller = new AbortController();
      try {
        return await breaker.fire(controller.signal, ...args);
      } finally {
        controller.abort();
      }
    },
    state,
    close: () => breaker.shutdown(),
  };
}
