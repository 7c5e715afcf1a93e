import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Sequelize, Transaction } from 'sequelize';
import type { Metrics } from '../observability/metrics';
import type { Cache } from './cache';
import { isConnectionLoss } from './connection-loss';
import { createDirectQuery, type DirectQuery, type DirectQueryOptions } from './direct-query';
import type { ReplicaSet } from './replica-set';
import { operationOf } from './sql-operation';

/** Whether this request must read from the primary: it writes, or its caller wrote just before. */
const requestScope = new AsyncLocalStorage<{ readonly primaryOnly: () => Promise<boolean> }>();

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Read-your-writes: after a caller's successful write, their reads go to the primary for `stickyMs`, on
 * every instance (the mark is in Redis, and in this process for when Redis is down). The caller is their
 * credential, hashed: known before authentication runs, and nothing that names a person. The mark is
 * looked up only when a request actually makes a replica-eligible read.
 */
export function readYourWrites(cache: Cache, stickyMs: number): Middleware {
  const recentWriters = new Map<string, number>();
  const stickySeconds = Math.max(1, Math.ceil(stickyMs / 1000));
  const markOf = (credential: string) =>
    `ryw:${createHash('sha256').update(credential).digest('base64url').slice(0, 22)}`;

  const wroteRecently = async (mark: string) => {
    const at = recentWriters.get(mark);
    if (at !== undefined && Date.now() - at < stickyMs) return true;
    recentWriters.delete(mark);
    const shared = await cache.get('read_your_writes', mark);
    return shared !== undefined && Date.now() - Number(shared) < stickyMs;
  };

  return async (ctx, next) => {
    const credential = ctx.get('Authorization');
    const writes = !SAFE_METHODS.has(ctx.method);
    const mark = credential ? markOf(credential) : undefined;
    let answer: Promise<boolean> | undefined;
    const primaryOnly = () =>
      (answer ??= writes ? Promise.resolve(true) : mark ? wroteRecently(mark) : Promise.resolve(false));
    await requestScope.run({ primaryOnly }, next);
    if (writes && mark && ctx.status < 400) {
      const now = Date.now();
      recentWriters.set(mark, now);
      await cache.set(mark, String(now), stickySeconds);
    }
  };
}

/** Runs a replica-eligible read on the server `target` chose, on the primary if that replica is lost under it. */
type ReadRoute = <T>(read: (server: Sequelize) => Promise<T>) => Promise<T>;

/**
 * Where a read that may be slightly stale goes: a replica in rotation, unless the request must read from
 * the primary or none is in rotation.
 */
function readRouting(primary: Sequelize, replicas: ReplicaSet, metrics: Metrics) {
  const target = async (): Promise<Sequelize> => {
    const primaryOnly = (await requestScope.getStore()?.primaryOnly()) ?? false;
    const replica = primaryOnly ? undefined : replicas.pick();
    metrics.db.reads.inc({ target: replica ? 'replica' : 'primary' });
    return replica ?? primary;
  };
  const route: ReadRoute = async (read) => {
    const server = await target();
    if (server === primary) return read(primary);
    try {
      return await read(server);
    } catch (error) {
      if (!isConnectionLoss(error)) throw error;
      // The replica went away between two lag checks: out of rotation now, and this read (a SELECT, so
      // safe to repeat) goes to the primary instead of failing.
      replicas.markUnreachable(server);
      metrics.db.reads.inc({ target: 'primary' });
      return read(primary);
    }
  };
  return { target, route };
}

/**
 * A Sequelize for queries that may read slightly stale data (lists, reports, audit queries): each query
 * or transaction goes to a replica in rotation, unless the request must read from the primary or none is
 * in rotation. A query inside a transaction follows its transaction's server; a statement that is not a
 * plain SELECT goes to the primary. Everything else of the Sequelize API (models, hooks) is the primary's.
 * A transaction opened here may land on a replica: hand this only to code whose transactions only read.
 */
export function routedReader(primary: Sequelize, replicas: ReplicaSet, metrics: Metrics): Sequelize {
  const { target, route } = readRouting(primary, replicas, metrics);
  // Sequelize sets `sequelize` on each Transaction; its type declarations leave it out.
  const serverOf = (transaction: Transaction) =>
    (transaction as unknown as { sequelize: Sequelize }).sequelize;

  const query = (async (sql: string, options?: { transaction?: Transaction | null }) => {
    if (options?.transaction) return serverOf(options.transaction).query(sql, options);
    // A statement that writes (or might: anything not a plain SELECT) is the primary's, whoever sent it.
    if (operationOf(sql) !== 'select') return primary.query(sql, options);
    return route((server) => server.query(sql, options));
  }) as Sequelize['query'];
  const transaction = (async (...args: Parameters<Sequelize['transaction']>) => {
    const server = await target();
    return (server.transaction as (...a: typeof args) => Promise<unknown>).apply(server, args);
  }) as Sequelize['transaction'];

  return new Proxy(primary, {
    get(sequelize, property, receiver) {
      if (property === 'query') return query;
      if (property === 'transaction') return transaction;
      return Reflect.get(sequelize, property, receiver) as unknown;
    },
  });
}

/**
 * The direct query (platform/direct-query) of the hottest replica-eligible SELECTs (the lists), routed
 * as routedReader routes a query: a replica's statement runs on a connection of that replica's pool.
 * Only for plain SELECTs outside a transaction.
 */
export function routedDirectQuery(
  primary: Sequelize,
  replicas: ReplicaSet,
  metrics: Metrics,
  options: DirectQueryOptions,
): DirectQuery {
  const { route } = readRouting(primary, replicas, metrics);
  const queries = new Map<Sequelize, DirectQuery>();
  const queryOf = (server: Sequelize) => {
    let query = queries.get(server);
    // Timed like the same query through routedReader: a replica's Sequelize has no query metric.
    const timing = server === primary ? metrics : undefined;
    if (!query) queries.set(server, (query = createDirectQuery(server, timing, options)));
    return query;
  };
  return (operation, text, values) => route((server) => queryOf(server)(operation, text, values));
}
