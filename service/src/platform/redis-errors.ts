import { ReplyError, type Redis } from 'ioredis';
import type { Metrics, REDIS_ERROR_REASONS } from '../observability/metrics';

// Failed Redis commands as a metric, whichever feature sent them (cache, sessions, rate limits).

type Reason = (typeof REDIS_ERROR_REASONS)[number];

/** ioredis signals these only by message (Redis.js and Command.js); its retry give-up is an AbortError. */
const UNAVAILABLE =
  /Stream isn't writeable|Connection is closed|max retries per request|Reached the max retries/i;
const TIMED_OUT = /Command timed out/;

function reasonOf(error: unknown): Reason {
  if (error instanceof ReplyError) return 'reply';
  const message = error instanceof Error ? error.message : '';
  if (TIMED_OUT.test(message)) return 'timeout';
  if (UNAVAILABLE.test(message)) return 'unavailable';
  return 'other';
}

/**
 * ioredis names itself on connect (CLIENT SETINFO) and ignores the refusal of a Redis older than 7.2: that
 * is no failure of ours.
 */
function isClientInfo(command: { name: string; args: unknown[] }): boolean {
  return command.name === 'client' && String(command.args[0]).toUpperCase() === 'SETINFO';
}

/**
 * Counts each command that fails. ioredis has no per-command hook, but every command, pipelined or not,
 * passes through `sendCommand` with the promise its caller awaits; observing that promise changes nothing
 * for the caller, who still gets the rejection.
 */
export function countRedisCommandErrors(redis: Redis, metrics: Metrics): void {
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    if (!isClientInfo(command))
      command.promise.catch((error: unknown) => metrics.redis.commandErrors.inc({ reason: reasonOf(error) }));
    return send(command, stream);
  };
}
